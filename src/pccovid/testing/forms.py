from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.testing.models import Result, TestKind


class RecordForm(forms.Form):
    """The technician's fast form: the person by scan (`qr/_scan_input.html`: text or image) or ID number."""

    site = forms.ChoiceField(label=_("Test site"))
    text = forms.CharField(required=False, max_length=500)
    image = forms.FileField(required=False)
    id_number = forms.CharField(
        label=_("Or the ID number (CCCD/CMND)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of test"),
        choices=[(k, v) for k, v in TestKind.choices if k != TestKind.POOLED_RT_PCR],
        initial=TestKind.RAPID_ANTIGEN,
    )
    sample_taken_at = forms.DateTimeField(
        label=_("Sample taken at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    result = forms.ChoiceField(label=_("Result"), choices=Result.choices, initial=Result.NEGATIVE)
    ct_value = forms.DecimalField(
        label=_("Ct value (PCR only)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=45,
    )
    external_id = forms.CharField(label=_("Sample id (optional)"), required=False, max_length=64)

    def __init__(self, *args, sites: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.code, f"{s.code} · {s.name}") for s in sites]


class UploadForm(forms.Form):
    site = forms.ChoiceField(label=_("Test site or lab"))
    file = forms.FileField(label=_("CSV file from the lab"))

    def __init__(self, *args, sites: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.code, f"{s.code} · {s.name}") for s in sites]
