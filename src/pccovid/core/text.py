"""Vietnamese text helpers: names keep their diacritics; matching uses a folded key."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_name(raw: str) -> str:
    """NFC, single spaces, each word capitalised: 'nguyễn  văn AN' -> 'Nguyễn Văn An'."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


def fold(text: str) -> str:
    """Diacritic-free, lower case, single spaces: 'Đặng Thị Ánh' -> 'dang thi anh'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    if decomposed.isascii():
        stripped = decomposed
    elif max(decomposed) <= _BMP_LAST:
        stripped = decomposed.translate(_marks_dropped())
    else:
        stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


_BMP_LAST = "\uffff"


@functools.cache
def _marks_dropped() -> dict[int, None]:
    """`str.translate` table deleting every non-spacing mark (category Mn) of the Basic Multilingual
    Plane: one C pass instead of a category lookup per character, for the millions of names an import
    folds. Text beyond the plane (rare) takes the per-character way, with the same result."""
    return {code: None for code in range(0x10000) if unicodedata.category(chr(code)) == "Mn"}
