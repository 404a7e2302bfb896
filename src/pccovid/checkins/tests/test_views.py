"""The check-in pages: scan (text or a photo of the poster), confirm with household members, done,
history; the operator's venue pages, poster (page and PDF), re-issue, counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pccovid.checkins.models import CheckIn, Venue
from pccovid.checkins.tests.conftest import NOW
from pccovid.qr.formats import venue_qr_text
from pccovid.qr.render import qr_png


def _poster(venue) -> str:
    return venue_qr_text(venue_code=venue.code, token=venue.qr_token)


def test_citizen_checks_in_by_pasted_text_with_a_household_member(client, citizen, household, venue):
    client.force_login(citizen)
    page = client.get("/checkins/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="image"' in page
    confirm = client.post("/checkins/", {"text": _poster(venue)}).content.decode()
    assert "Tạp hóa Cô Bình" in confirm and household["dung"].qid in confirm
    done = client.post(
        "/checkins/confirm/", {"venue_text": _poster(venue), "members": [household["dung"].qid]}
    )
    assert done.status_code == 302 and done.url == "/checkins/done/"
    page = client.get(done.url).content.decode()
    assert "Nguyễn Thị Dung" in page and "Tạp hóa Cô Bình" in page and "10:00 20/09/2021" in page
    assert CheckIn.objects.filter(venue=venue).count() == 2
    history = client.get("/checkins/mine/").content.decode()
    assert "Tạp hóa Cô Bình" in history and "20/09/2021 10:00" in history


def test_citizen_checks_in_by_uploading_a_photo_of_the_poster(client, citizen, venue):
    client.force_login(citizen)
    photo = SimpleUploadedFile("poster.png", qr_png(_poster(venue)), content_type="image/png")
    confirm = client.post("/checkins/", {"text": "", "image": photo}).content.decode()
    assert 'data-testid="confirm"' in confirm and "Tạp hóa Cô Bình" in confirm


def test_a_photo_without_a_qr_code_is_explained(client, citizen, venue):
    client.force_login(citizen)
    blank = SimpleUploadedFile("blank.png", qr_png("x")[:50], content_type="image/png")
    page = client.post("/checkins/", {"image": blank}).content.decode()
    assert 'role="alert"' in page and 'data-testid="confirm"' not in page


def test_an_old_poster_is_refused_on_the_page(client, citizen, operator, venue):
    old = _poster(venue)
    client.force_login(operator)
    client.post(f"/checkins/venues/{venue.code}/reissue/")
    client.force_login(citizen)
    page = client.post("/checkins/", {"text": old}).content.decode()
    assert 'role="alert"' in page and 'data-testid="confirm"' not in page


def test_pages_need_a_signed_in_citizen(client, venue):
    for url in (
        "/checkins/",
        "/checkins/mine/",
        "/checkins/venues/",
        f"/checkins/venues/{venue.code}/poster/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/login/", url


def test_operator_registers_a_venue_and_gets_its_poster(client, operator, tree):
    client.force_login(operator)
    form = client.get("/checkins/venues/new/").content.decode()
    assert 'value="26740"' in form  # Bình lives in Phường Sài Gòn: suggested
    response = client.post(
        "/checkins/venues/new/",
        {
            "name": "Quán Phở Hòa",
            "category": "restaurant",
            "unit_code": "26743",
            "address_line": "260C Pasteur",
        },
    )
    venue = Venue.objects.get()
    assert response.status_code == 302 and response.url == f"/checkins/venues/{venue.code}/"
    poster = client.get(f"/checkins/venues/{venue.code}/poster/").content.decode()
    assert "Quán Phở Hòa" in poster and venue.code in poster and "<svg" in poster and "@page" in poster
    pdf = client.get(f"/checkins/venues/{venue.code}/poster.pdf?size=a5")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert venue.code in client.get("/checkins/venues/").content.decode()


def test_register_form_shows_the_reason(client, operator, tree):
    client.force_login(operator)
    page = client.post("/checkins/venues/new/", {"name": "X", "category": "shop", "unit_code": "99999"})
    assert 'role="alert"' in page.content.decode() and not Venue.objects.exists()


def test_venue_page_shows_counts_never_names(client, operator, venue, people):
    for n in range(5):
        CheckIn.objects.create(
            person=people["an"],
            venue=venue,
            at=NOW,
            how="venue_scan",
            recorded_by=operator,
            client_event_id=f"{n}",
        )
    client.force_login(operator)
    page = client.get(f"/checkins/venues/{venue.code}/").content.decode()
    assert "20/09/2021: <strong>5</strong>" in page and "Nguyễn" not in page


def test_reissue_changes_the_poster(client, operator, venue):
    client.force_login(operator)
    before = venue.qr_token
    client.post(f"/checkins/venues/{venue.code}/reissue/")
    venue.refresh_from_db()
    assert venue.qr_token != before


@pytest.mark.parametrize("suffix", ["", "poster/", "poster.pdf"])
def test_someone_elses_venue_is_404(client, citizen, venue, suffix):
    client.force_login(citizen)
    assert client.get(f"/checkins/venues/{venue.code}/{suffix}").status_code == 404
    assert client.post(f"/checkins/venues/{venue.code}/reissue/").status_code == 404
