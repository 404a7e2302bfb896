"""Web forms of the report pages: the day asked for, the unit's entered values, a correction's reason."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.reports import rules


class ReportQueryForm(forms.Form):
    """`?unit=<code>&date=YYYY-MM-DD` (both optional: the official's own unit, yesterday)."""

    unit = forms.CharField(required=False, max_length=20)
    date = forms.DateField(
        label=_("Day"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Write the day as YYYY-MM-DD.")},
    )

    def clean_date(self) -> dt.date | None:
        day = self.cleaned_data["date"]
        if day and day.year < 2020:
            raise forms.ValidationError(_("Reports start on 1 January 2020."))
        return day


class EntriesForm(forms.Form):
    """One whole-number field per entered field of the form."""

    def __init__(self, *args, form: rules.Form, initial_values: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for f in form.entered_fields:
            self.fields[f.key] = forms.IntegerField(
                label=f.label,
                min_value=0,
                max_value=rules.ENTERED_MAX,
                required=False,
                initial=(initial_values or {}).get(f.key),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def values(self) -> dict[str, int]:
        return {key: value for key, value in self.cleaned_data.items() if value is not None}


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300, required=False)
