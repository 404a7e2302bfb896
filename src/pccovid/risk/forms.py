"""Web forms: shape only; the services check the rules and the views put their errors back on the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.risk.models import CareNeedKind

COUNT = {"min_value": 0, "max_value": 1_000_000}


class DayForm(forms.Form):
    on = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CapacityForm(forms.Form):
    beds = forms.IntegerField(label=_("Treatment beds"), **COUNT)
    icu_beds = forms.IntegerField(label=_("Intensive care beds"), **COUNT)
    home_care_teams = forms.IntegerField(label=_("Home-care teams"), **COUNT)
    enough = forms.TypedChoiceField(
        label=_("Is this enough for the unit's cases?"),
        choices=[("yes", _("Yes, enough")), ("no", _("No, not enough"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class AdjustmentForm(forms.Form):
    band_2 = forms.FloatField(
        label=_("Band 2 from (cases per 100,000 a week)"), min_value=0.1, max_value=100_000
    )
    band_3 = forms.FloatField(label=_("Band 3 from"), min_value=0.1, max_value=100_000)
    band_4 = forms.FloatField(label=_("Band 4 from"), min_value=0.1, max_value=100_000)
    older_age = forms.IntegerField(label=_("Older people: aged from"), min_value=18, max_value=100)
    older_threshold = forms.FloatField(
        label=_("High coverage of older people from (%)"), min_value=0, max_value=100
    )
    adult_threshold = forms.FloatField(
        label=_("High coverage of adults from (%)"), min_value=0, max_value=100
    )
    green_zone_days = forms.IntegerField(label=_("Green zone: days without a community case"), min_value=1,
                                         max_value=60)  # fmt: skip
    effective_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def adjusted_values(self) -> dict:
        data = self.cleaned_data
        return {
            "case_bands": [data["band_2"], data["band_3"], data["band_4"]],
            "coverage": {
                "older_age": data["older_age"],
                "older_threshold": data["older_threshold"],
                "adult_threshold": data["adult_threshold"],
            },
            "green_zone_days": data["green_zone_days"],
        }


class CareNeedForm(forms.Form):
    person = forms.RegexField(label=_("Person's platform code"), regex=r"^[0-9A-Z]{6,32}$", max_length=32)
    kind = forms.ChoiceField(label=_("Need"), choices=CareNeedKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
