"""Forms of the data engineers' console: the upload of an extract, a review decision."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pccovid.migration import formats

MAX_UPLOAD = 512 * 1024 * 1024  # bytes: a city's largest extract (a million dose rows) is ~150 MB
_SUFFIX = {formats.FileKind.CSV: ".csv", formats.FileKind.JSONL: ".jsonl", formats.FileKind.XLSX: ".xlsx"}


def suffix_of(source: str) -> str:
    return _SUFFIX[formats.SOURCES[source].kind]


class UploadForm(forms.Form):
    source = forms.ChoiceField(
        label=pgettext_lazy("legacy extract", "Source"),
        choices=[
            (name, f"{extract.title} · {extract.file_name}") for name, extract in formats.SOURCES.items()
        ],
    )
    file = forms.FileField(label=_("Extract file"))

    def clean(self) -> dict:
        """The file's size and type, before anything is saved (its header is checked once saved)."""
        data = super().clean()
        upload, source = data.get("file"), data.get("source")
        if upload is None or source is None:
            return data
        if upload.size > MAX_UPLOAD:
            self.add_error(
                "file",
                _("The file is larger than %(mb)d MB: split it.") % {"mb": MAX_UPLOAD // (1024 * 1024)},
            )
        elif not upload.name.lower().endswith(suffix_of(source)):
            self.add_error(
                "file",
                _("A %(source)s extract is a %(suffix)s file, not %(name)s.")
                % {"source": source, "suffix": suffix_of(source), "name": upload.name},
            )
        return data


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Reject"))], coerce=lambda value: value == "1"
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
