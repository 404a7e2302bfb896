"""Web forms: shape only. The rules (temperature range, who may report, a facility's beds) are checked by
the services, whose errors the views put back on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pccovid.declarations import rules as declaration_rules
from pccovid.quarantine.models import FacilityKind, OrderKind, OrderStatus, Place

SYMPTOM_LABELS = {
    "fever": _("Fever"),
    "cough": _("Cough"),
    "breathlessness": _("Shortness of breath"),
    "sore_throat": _("Sore throat"),
    "loss_of_taste_smell": _("Loss of taste or smell"),
    "fatigue": _("Fatigue"),
}


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class ReportForm(forms.Form):
    person = forms.CharField(widget=forms.HiddenInput, max_length=32)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=4,
        decimal_places=1,
        min_value=30,
        max_value=45,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms today"),
        required=False,
        choices=[(code, SYMPTOM_LABELS.get(code, code)) for code in declaration_rules.SYMPTOMS],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)


class OrderFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(OrderKind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(OrderStatus.choices))
    place = forms.ChoiceField(label=_("Place"), required=False, choices=_blank(Place.choices))


class FacilityForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    capacity = forms.IntegerField(label=_("Beds"), min_value=1, max_value=100_000)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("What was done"), required=False, max_length=200)


class VerifyForm(forms.Form):
    text = forms.CharField(required=False, max_length=4000)
    image = forms.FileField(required=False)
