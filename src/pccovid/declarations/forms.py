"""Web forms: shape only (types, choices, lengths). The rules are checked by `services.declaration_submit`,
whose errors the views put back on the field they name."""

from babel import Locale
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pccovid.audit.models import Purpose
from pccovid.declarations import rules
from pccovid.declarations.models import Kind, TestKind, TestResult, Transport, Vaccine

DATE = forms.DateInput(attrs={"type": "date"})
CODE = forms.TextInput(attrs={"list": "units", "autocomplete": "off", "inputmode": "numeric"})


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def country_choices() -> list[tuple[str, str]]:
    """ISO codes with their names in the page's language, sorted by name."""
    names = Locale.parse(get_language() or "vi", sep="-").territories
    return sorted(((code, names.get(code, code)) for code in rules.COUNTRY_CODES), key=lambda c: c[1])


class StartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which declaration"), choices=Kind.choices, widget=forms.RadioSelect)
    person = forms.ChoiceField(label=_("Declaring for"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.qid, m.full_name) for m in members]


class DeclarationForm(forms.Form):
    stay_unit = forms.CharField(
        label=_("Place of stay (commune or ward code)"), max_length=20, required=False, widget=CODE
    )
    stay_address = forms.CharField(label=_("Address of stay (house number, street)"), max_length=200)
    fever = forms.BooleanField(label=_("Fever"), required=False)
    cough = forms.BooleanField(label=_("Cough"), required=False)
    breathlessness = forms.BooleanField(label=_("Shortness of breath"), required=False)
    sore_throat = forms.BooleanField(label=_("Sore throat"), required=False)
    loss_of_taste_smell = forms.BooleanField(label=_("Loss of taste or smell"), required=False)
    fatigue = forms.BooleanField(label=_("Fatigue"), required=False)
    contact_with_case = forms.BooleanField(
        label=_("In the last 14 days, were you in close contact with a COVID-19 case?"), required=False
    )
    visited_case_place = forms.BooleanField(
        label=_("In the last 14 days, did you visit a place with COVID-19 cases?"), required=False
    )

    def symptoms(self):
        return [self[name] for name in rules.SYMPTOMS]

    def exposures(self):
        return [self[name] for name in rules.EXPOSURES if name in self.fields]


class DomesticForm(DeclarationForm):
    returned_from_abroad = forms.BooleanField(
        label=_("Did you return from abroad in the last 14 days?"), required=False
    )
    travel_from = forms.CharField(
        label=_("Travelling from (unit code)"), max_length=20, required=False, widget=CODE
    )
    travel_to = forms.CharField(
        label=_("Travelling to (unit code)"), max_length=20, required=False, widget=CODE
    )
    transport = forms.ChoiceField(
        label=_("Means of transport"), choices=_blank(Transport.choices), required=False
    )
    vehicle_number = forms.CharField(
        label=_("Flight, train or vehicle number"), max_length=20, required=False
    )
    travel_date = forms.DateField(label=_("Travel date"), required=False, widget=DATE)

    def travel(self):
        return [
            self[name] for name in ("travel_from", "travel_to", "transport", "vehicle_number", "travel_date")
        ]


class EntryForm(DeclarationForm):
    passport = forms.CharField(label=_("Passport number"), max_length=20)
    nationality = forms.ChoiceField(label=_("Nationality"))
    flight_number = forms.CharField(label=_("Flight number"), max_length=10, required=False)
    border_gate = forms.CharField(label=_("Border gate (if not by air)"), max_length=100, required=False)
    arrival_date = forms.DateField(label=_("Arrival date"), widget=DATE)
    countries_visited = forms.CharField(
        label=_("Countries visited in the last 14 days (codes, e.g. US, JP)"), max_length=200, required=False
    )
    vaccine_product = forms.ChoiceField(label=_("Vaccine"), choices=_blank(Vaccine.choices), required=False)
    vaccine_doses = forms.IntegerField(label=_("Doses received"), min_value=0, max_value=5, initial=0)
    vaccine_last_date = forms.DateField(label=_("Date of last dose"), required=False, widget=DATE)
    test_kind = forms.ChoiceField(label=_("Test"), choices=_blank(TestKind.choices), required=False)
    test_date = forms.DateField(label=_("Test date"), required=False, widget=DATE)
    test_result = forms.ChoiceField(
        label=_("Test result"), choices=_blank(TestResult.choices), required=False
    )

    def entry(self):
        names = (
            "passport",
            "nationality",
            "flight_number",
            "border_gate",
            "arrival_date",
            "countries_visited",
        )
        return [self[name] for name in names]

    def vaccination(self):
        return [self[name] for name in ("vaccine_product", "vaccine_doses", "vaccine_last_date")]

    def test(self):
        return [self[name] for name in ("test_kind", "test_date", "test_result")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = _blank(country_choices())

    def clean_countries_visited(self) -> list[str]:
        raw = self.cleaned_data["countries_visited"].replace(",", " ").replace(";", " ")
        return raw.split()


FORMS = {Kind.DOMESTIC: DomesticForm, Kind.ENTRY: EntryForm}


class ConsoleFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    flagged = forms.NullBooleanField(
        label=_("Flagged"),
        required=False,
        widget=forms.Select(choices=[("", _("All")), ("true", _("Flagged")), ("false", _("Not flagged"))]),
    )
    unit = forms.CharField(label=_("Unit code"), max_length=20, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, required=False)

    def purpose_or_default(self) -> str:
        return self.cleaned_data.get("purpose") or Purpose.EPIDEMIC_CONTROL

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "flagged": data.get("flagged"),
            "unit_code": data.get("unit") or None,
        }


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
