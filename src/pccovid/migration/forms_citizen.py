"""Web forms of the citizen's corrections and the officials' decisions: shape only; the rules are checked
by `migration.corrections`, whose errors go back on the field."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"})
PRINTABLE = RegexValidator(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", _("Remove the control characters."))


def _message(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=500, required=False, validators=[PRINTABLE],
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )  # fmt: skip


class NotMineForm(forms.Form):
    message = _message(_("What is wrong (optional)"))


class DoseMissingForm(forms.Form):
    dose_number = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=9, initial=1)
    given_on = forms.DateField(label=_("Date given"), widget=DATE)
    product_code = forms.ChoiceField(label=_("Vaccine"))
    site_code = forms.ChoiceField(label=_("Vaccination site"))
    message = _message(_("Message (optional)"))

    def __init__(self, *args, products, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_code"].choices = [(p.code, p.name) for p in products]
        self.fields["site_code"].choices = [(s.code, f"{s.name} ({s.unit.name})") for s in sites]


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    outcome = _message(_("What to tell the citizen"))
    lot_number = forms.CharField(label=_("Lot number"), max_length=40, required=False, validators=[PRINTABLE])
