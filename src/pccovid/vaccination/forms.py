"""Web forms: shape only. The rules are checked by the services, whose errors go back on the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"})


class DoseForm(forms.Form):
    """The health worker's fast form. The person comes from the scan widget (text or image, read by the
    view) or, without a code, from `national_id`."""

    national_id = forms.CharField(
        label=_("Or the ID number (CCCD or CMND)"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    product_code = forms.ChoiceField(label=_("Vaccine"))
    lot_number = forms.CharField(label=_("Lot number"), max_length=40)
    dose_number = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=10, initial=1)
    given_on = forms.DateField(label=_("Date given"), widget=DATE)
    site_code = forms.ChoiceField(label=_("Vaccination site"))

    def __init__(self, *args, products, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_code"].choices = [(p.code, p.name) for p in products]
        self.fields["site_code"].choices = [(s.code, f"{s.name} ({s.unit.name})") for s in sites]


class CoverageForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=20, required=False)
    on = forms.DateField(label=_("On"), required=False, widget=DATE)
