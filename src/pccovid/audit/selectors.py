from pccovid.audit.models import PersonalDataRead


def reads_of_person(*, person, limit: int = 200):
    """Who read this person's data: for the citizen's own "who looked at my record" page."""
    return (
        PersonalDataRead.objects.filter(person=person).select_related("actor", "unit").order_by("-at")[:limit]
    )
