"""The web pages: citizen sign-in with a code, profile, household, who read my record; the console."""

from pccovid.audit.models import PersonalDataRead
from pccovid.identity import selectors


def _sign_in_citizen(client, sms_outbox, phone="0903123456", e164="+84903123456"):
    response = client.post("/login/", {"phone": phone})
    assert response.status_code == 302 and response.url == "/login/code/"
    return client.post("/login/code/", {"code": sms_outbox.last_code(e164)})


def test_citizen_signs_in_with_a_code_and_sees_profile_and_household(client, people, sms_outbox):
    response = _sign_in_citizen(client, sms_outbox)
    assert response.url == "/me/"
    page = client.get("/me/").content.decode()
    assert "Nguyễn Văn An" in page and "079090001234" in page and "Khu phố 1" in page
    assert 'data-testid="household"' in page


def test_wrong_code_shows_the_reason_on_the_form(client, people, sms_outbox):
    client.post("/login/", {"phone": "0903123456"})
    wrong = "000000" if sms_outbox.last_code("+84903123456") != "000000" else "111111"
    page = client.post("/login/code/", {"code": wrong}).content.decode()
    assert "4" in page and 'role="alert"' in page


def test_bad_phone_number_is_explained(client, db):
    page = client.post("/login/", {"phone": "12345"}).content.decode()
    assert "12345" in page and 'role="alert"' in page


def test_who_read_my_record_page(client, people, official, sms_outbox):
    _user, assignment = official("commune_official", "ben_thanh")
    selectors.person_get(assignment=assignment, qid=people["an"].qid, purpose="case_investigation")
    _sign_in_citizen(client, sms_outbox)
    page = client.get("/me/reads/").content.decode()
    assert "commune_official-ben_thanh" in page and "Phường Bến Thành" in page


def test_console_search_by_htmx_returns_the_partial_and_audits(client, people, official):
    user, _ = official("commune_official", "ben_thanh")
    client.force_login(user)
    assert "Phường Bến Thành" in client.get("/console/").content.decode()
    partial = client.get("/console/search/", {"q": "an", "purpose": "testing"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    partial = client.get("/console/search/", {"q": "nguyen", "purpose": "testing"}, HTTP_HX_REQUEST="true")
    assert "Nguyễn Văn An" in partial.content.decode()
    assert PersonalDataRead.objects.filter(purpose="testing").count() == 1


def test_console_person_out_of_jurisdiction_is_404(client, people, official):
    user, _ = official("commune_official", "ben_thanh")
    client.force_login(user)
    assert client.get(f"/console/persons/{people['chi'].qid}/").status_code == 404
    assert client.get(f"/console/persons/{people['an'].qid}/").status_code == 200
    assert PersonalDataRead.objects.count() == 1


def test_console_requires_sign_in(client, db):
    response = client.get("/console/")
    assert response.status_code == 302 and response.url.startswith("/console/login/")


def test_official_signs_in_with_password(client, official):
    official("tracer", "hcmc", username="tracy")
    response = client.post("/console/login/", {"username": "tracy", "password": "pw-123456"})
    assert response.url == "/console/"


def test_language_switch_to_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_vietnamese_is_the_default_language(client, db):
    page = client.get("/").content.decode()
    assert 'lang="vi"' in page and "Đăng nhập bằng số điện thoại" in page


def test_errors_on_pages_speak_vietnamese_by_default(client, db):
    page = client.post("/login/", {"phone": "12345"}).content.decode()
    assert "không phải số điện thoại Việt Nam" in page


def test_an_english_browser_still_gets_vietnamese_until_the_person_switches(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập bằng số điện thoại" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign in with your phone" in client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
