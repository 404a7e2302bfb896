from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

UNIT_CODE = RegexValidator(r"^[0-9A-Za-z.]{1,20}$", _("A unit code is letters, digits and dots."))


class MapFilterForm(forms.Form):
    """The map's filters, read from the query string: the unit drawn (its children) and the day."""

    unit = forms.CharField(required=False, max_length=20, validators=[UNIT_CODE], widget=forms.HiddenInput)
    date = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
