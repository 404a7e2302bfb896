"""Web forms: shape only. The range rules (end after start, at most 366 days) are the selectors'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.operations import selectors

DATE = forms.DateInput(attrs={"type": "date"})


class RangeForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=40, required=False)  # unknown: "not found"
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    days = forms.TypedChoiceField(
        label=_("Or the last"),
        choices=[("", "—"), *((str(n), _("%(n)d days") % {"n": n}) for n in selectors.RANGE_CHOICES)],
        coerce=int,
        empty_value=None,
        required=False,
    )
