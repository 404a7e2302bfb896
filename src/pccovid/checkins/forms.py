from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.checkins.models import VenueCategory


class ScanForm(forms.Form):
    """Filled by `qr/_scan_input.html`: pasted or camera-decoded text, or a photo of the poster."""

    text = forms.CharField(required=False, max_length=500)
    image = forms.FileField(required=False)


class ConfirmForm(forms.Form):
    venue_text = forms.CharField(max_length=500, widget=forms.HiddenInput)
    members = forms.MultipleChoiceField(
        label=_("Household members with you"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, household: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.qid, m.full_name) for m in household]


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Venue name"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=VenueCategory.choices)
    unit_code = forms.CharField(
        label=_("Commune / ward code (2025 map)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    address_line = forms.CharField(label=_("Address (house number, street)"), max_length=200, required=False)
