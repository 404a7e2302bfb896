from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.audit.models import Purpose


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0903 123 456"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class LinkForm(forms.Form):
    national_id = forms.CharField(
        label=_("CCCD / CMND number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, ID number or phone"), max_length=64)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, initial=Purpose.EPIDEMIC_CONTROL)


class DayForm(forms.Form):
    on = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
