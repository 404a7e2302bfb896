"""Web forms of the tracer console: shape only; the rules live in `services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.identity import selectors as identity_selectors
from pccovid.tracing.models import ContactStatus, IsolationPlace, Outcome, PathKind

DATE = forms.DateInput(attrs={"type": "date"})
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PERSON = forms.TextInput(attrs={"autocomplete": "off", "placeholder": "079090001234"})


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def person_qid(text: str) -> str:
    """A QID as typed, or the QID of the person holding a CCCD (12 digits) or CMND (9 digits). An unknown
    number is returned as typed: the service then answers "not found", as for anyone out of reach."""
    text = "".join(text.split())
    if text.isdigit() and len(text) in (9, 12):
        person = identity_selectors.person_by_national_id(national_id=text)
        return person.qid if person else text
    return text.upper()


class CaseOpenForm(forms.Form):
    person = forms.CharField(
        label=_("Person: platform code (QID) or CCCD/CMND"), max_length=32, widget=PERSON
    )
    reason = forms.CharField(label=_("Why open it by hand"), max_length=300)
    onset_date = forms.DateField(label=_("Onset of symptoms"), required=False, widget=DATE)
    isolation_place = forms.ChoiceField(
        label=_("Place of isolation"), choices=IsolationPlace.choices, initial=IsolationPlace.HOME
    )

    def clean_person(self) -> str:
        return person_qid(self.cleaned_data["person"])


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    on = forms.DateField(label=_("Date of the outcome"), widget=DATE)


class DeclareForm(forms.Form):
    person = forms.CharField(label=_("Person named: QID or CCCD/CMND"), max_length=32, widget=PERSON)
    via = forms.ChoiceField(label=_("Named by"), required=False)
    at = forms.DateTimeField(label=_("When they met"), widget=MOMENT)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, case=None, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        first = [("", _("The case (F0)"))]
        self.fields["via"].choices = first + [
            (c.person.qid, f"F{c.degree} {c.person.full_name}") for c in contacts if c.degree == 1
        ]

    def clean_person(self) -> str:
        return person_qid(self.cleaned_data["person"])


class ContactFilterForm(forms.Form):
    degree = forms.TypedChoiceField(
        label=_("Degree"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_blank([("1", "F1"), ("2", "F2"), ("3", "F3")]),
    )
    kind = forms.ChoiceField(label=_("Found through"), required=False, choices=_blank(PathKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(ContactStatus.choices))

    def filters(self) -> dict:
        return {name: self.cleaned_data.get(name) or None for name in ("degree", "kind", "status")}


class BulkForm(forms.Form):
    ACTIONS = [
        ("notify", _("Notify")),
        ("quarantine_home", _("Order quarantine at home")),
        ("quarantine_facility", _("Order quarantine at a facility")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    contact = forms.TypedMultipleChoiceField(label=_("Contacts"), coerce=int)
    facility_code = forms.CharField(label=_("Facility code"), max_length=20, required=False)

    def __init__(self, *args, contact_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [(str(i), str(i)) for i in contact_ids]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(ContactStatus.choices))
