"""Web forms: shape only (types, choices, lengths). The rules are checked by `services`, whose errors the
views put back on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.feedback.models import Kind, Status
from pccovid.geography.models import Edition

UNIT = forms.TextInput(attrs={"list": "units", "autocomplete": "off", "inputmode": "numeric"})


def _blank(choices) -> list[tuple[str, str]]:
    return [("", _("All")), *choices]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you reporting?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    edition = forms.ChoiceField(
        label=_("Commune list"),
        choices=[
            (Edition.CURRENT, _("2025 (after the merger)")),
            (Edition.PRE_2025, _("2021 (before 2025)")),
        ],
        initial=Edition.CURRENT,
    )
    unit = forms.CharField(label=_("Commune or ward (code)"), max_length=20, widget=UNIT)
    place = forms.CharField(
        label=_("Place (venue name, house number, street)"), max_length=200, required=False
    )
    description = forms.CharField(
        label=_("What did you see?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Description is required.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional: JPEG, PNG or WebP, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class QueueFilterForm(forms.Form):
    unit = forms.CharField(label=_("Commune or ward (code)"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(Kind.choices), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_blank(Status.choices), required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "unit_code": data.get("unit") or None,
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note to the citizen"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
