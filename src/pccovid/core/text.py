"""Vietnamese text helpers: names keep their diacritics; matching uses a folded key."""

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
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
