"""Web forms: shape only. The range rules (end after start, at most 366 days) are the selectors'."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pccovid.operations import selectors

DATE = forms.DateInput(attrs={"type": "date"})


# Translated when the form is shown, not when the module is imported (a plain `%` would fix the language).
_days_label = lazy(lambda n: gettext("%(n)d days") % {"n": n}, str)


class RangeForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=40, required=False)  # unknown: "not found"
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    days = forms.TypedChoiceField(
        label=_("Or the last"),
        choices=[("", "—"), *((str(n), _days_label(n)) for n in selectors.RANGE_CHOICES)],
        coerce=int,
        empty_value=None,
        required=False,
    )
