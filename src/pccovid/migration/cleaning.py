"""Cleaning rules for legacy records (issue 7, item 4): each returns the cleaned value and why.

No rule guesses silently: a value it had to repair carries a flag, an ambiguous one carries both
readings, a rejected one carries a reason code. The rules and their limits are in `docs/rules.md`
("Cleaning"). Only `clean_address` reads the database (the 2021 and 2025 administrative trees).
Results are named tuples: an import builds hundreds of thousands of them, and a frozen dataclass costs
several times as much to make.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from pccovid.core import clock
from pccovid.core.text import clean_name as title_name
from pccovid.core.text import fold
from pccovid.geography import services as geo_services
from pccovid.geography.models import AdminUnit, Edition, Level
from pccovid.identity import rules as id_rules
from pccovid.identity import validators

# ---------------------------------------------------------------------------------------------- names


class CleanName(NamedTuple):
    value: str
    match_key: str
    sorted_key: str
    flags: tuple[str, ...] = ()


_HAT = {"a": "â", "e": "ê", "o": "ô"}
_BREVE = {"a": "ă", "â": "ă"}
_HORN = {"o": "ơ", "u": "ư", "ô": "ơ"}
# Combining marks of the five tones by Telex key; VNI digits and VIQR signs are translated to these keys.
_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONES = {"1": "s", "2": "f", "3": "r", "4": "x", "5": "j"}
_VIQR_TONES = {"'": "s", "`": "f", "?": "r", "~": "x"}
_VOWELS = set("aăâeêioôơuưy")
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
    r"(a|ă|â|e|ê|i|y|o|ô|ơ|u|ư|ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iêu|ya|yê|yêu|iu|oa|oă|oai|oay|oe|oeo|oi|ôi|ơi"
    r"|ua|uâ|uây|uê|ui|uô|uôi|uơ|uy|uya|uyê|uyu|ưa|ưi|ưu|ươ|ươi|ươu)"
    r"(ch|ng|nh|c|m|n|p|t)?"
)
_TELEX_HINT = re.compile(r"w|aa|ee|oo|^dd|[aeiouy].*[sfrxj]")
_VNI_HINT = re.compile(r"[a-z][a-z]*[1-9]")
_VIQR_HINT = re.compile(r"[a-z][\^(+'`?~]|^d-")


def _typed_keys(word: str) -> list[str] | None:
    """The word as Telex key presses (VNI digits and VIQR signs translated), or None if it shows no
    typing leftover at all."""
    if _VNI_HINT.search(word):
        translate = {"6": "^", "7": "+", "8": "(", **_VNI_TONES}
        return [translate.get(ch, ch) for ch in word.replace("d9", "đ")]
    if _VIQR_HINT.search(word):
        keys = [_VIQR_TONES.get(ch, ch) for ch in word.replace("dd", "đ").replace("d-", "đ")]
        return keys
    if _TELEX_HINT.search(word):
        return list(word.replace("dd", "đ", 1) if word.startswith("dd") else word)
    return None


def _apply_modifier(letters: list[str], key: str) -> bool:
    """Apply a hat/breve/horn key (Telex doubled vowel or 'w', VNI 6/7/8, VIQR ^ ( +) to the last vowel it
    fits; False when none does."""
    for i in range(len(letters) - 1, -1, -1):
        ch = letters[i]
        if key in ("^", ch) and ch in _HAT:
            letters[i] = _HAT[ch]
            return True
        if key in "w(" and ch in _BREVE:
            letters[i] = _BREVE[ch]
            return True
        if key in "w+" and ch in _HORN:
            letters[i] = _HORN[ch]
            if ch in "oô" and i > 0 and letters[i - 1] == "u":
                letters[i - 1] = "ư"
            return True
    return False


def _place_tone(match: re.Match[str], tone: str) -> str:
    """Old-style tone placement ('hòa', 'thủy'): on a hatted/horned vowel, else on the last vowel before
    a final consonant, else on the middle of three vowels or the first of two."""
    syllable = match.string
    start, end = match.span(2)
    nucleus = syllable[start:end]
    marked = [i for i, ch in enumerate(nucleus) if ch in "ăâêôơư"]
    if marked:
        pos = marked[-1]
    elif match.group(3) or len(nucleus) == 1:
        pos = len(nucleus) - 1
    else:
        pos = 1 if len(nucleus) == 3 else 0
    index = start + pos
    toned = unicodedata.normalize("NFC", syllable[index] + _TONES[tone])
    return syllable[:index] + toned + syllable[index + 1 :]


def _repair_word(word: str) -> str | None:
    """Decode one lower-case word typed with Telex, VNI or VIQR; None unless the result is one valid
    Vietnamese syllable (so plain 'an' or foreign 'ross' stay as they are)."""
    keys = _typed_keys(word) if word.isascii() else None
    if keys is None:
        return None
    letters: list[str] = []
    tone = None
    for key in keys:
        has_vowel = any(ch in _VOWELS for ch in letters)
        if key in _TONES and has_vowel:
            if tone:
                return None
            tone = key
        elif key in "w^(+" or (key in "aeo" and key in letters[-3:] and has_vowel):
            if not _apply_modifier(letters, key):
                return None
        else:
            letters.append(key)
    syllable = "".join(letters)
    match = _SYLLABLE.fullmatch(syllable)
    if not match or syllable == word:
        return None
    return _place_tone(match, tone) if tone else syllable


def clean_name(raw: str) -> CleanName:
    """NFC name with diacritics kept, title-cased word by word, typing leftovers repaired.

    Flags: `decomposed` (the source had combining marks, NFD), `telex_repaired` (a word was decoded from
    Telex, VNI or VIQR key presses), `no_diacritics` (an all-ASCII name: matching must rely on the key).
    """
    text = unicodedata.normalize("NFC", raw or "")
    flags = ["decomposed"] if text != (raw or "") else []
    words = text.lower().split()
    repaired = [_repair_word(word) for word in words]
    if any(repaired):
        flags.append("telex_repaired")
    value = title_name(" ".join(new or old for new, old in zip(repaired, words, strict=True)))
    if value and value.isascii():
        flags.append("no_diacritics")
    key = fold(value)
    return CleanName(value, key, " ".join(sorted(key.split())), tuple(flags))


# ---------------------------------------------------------------------------------------------- dates


class CleanDate(NamedTuple):
    """`value` is a full date (None when only the year is known or nothing could be read); `year` is set
    whenever the year is known. `ambiguous`: day and month could be read either way; `alternative` is the
    other reading, and the caller decides."""

    value: dt.date | None
    year: int | None
    precision: str | None
    ambiguous: bool = False
    alternative: dt.date | None = None
    flags: tuple[str, ...] = ()
    reason: str = ""


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")  # time ignored
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # yyyymmdd, as database exports and FEBRL write it
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_YEAR = re.compile(r"\d{4}")
EARLIEST_BIRTH_YEAR = 1900


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _full_year(text: str, flags: list[str], today: dt.date) -> int:
    """A two-digit year is of this century when not in the future, else of the last one."""
    if len(text) == 4:
        return int(text)
    flags.append("two_digit_year")
    year = 2000 + int(text)
    return year if year <= today.year else year - 100


def _in_range(value: dt.date, today: dt.date) -> bool:
    return value.year >= EARLIEST_BIRTH_YEAR and value <= today


def _checked(result: CleanDate, today: dt.date) -> CleanDate:
    if result.year is not None and not _in_range(result.value or dt.date(result.year, 1, 1), today):
        return CleanDate(None, None, None, flags=result.flags, reason="out_of_range")
    return result


def _day_month(first: int, second: int, year: int, flags: list[str], today: dt.date) -> CleanDate:
    """Vietnamese sources write the day first. A reading that is no date (month 13) or lies in the future
    is dropped; if both readings remain (and differ), the date is ambiguous; if only the month-first one
    remains, the parts were swapped."""
    day_first = _safe_date(year, second, first)
    month_first = _safe_date(year, first, second)
    plausible = [d for d in (day_first, month_first) if d and _in_range(d, today)]
    if not plausible:
        reason = "out_of_range" if day_first or month_first else "invalid_date"
        return CleanDate(None, None, None, flags=tuple(flags), reason=reason)
    if len(set(plausible)) == 2:
        return CleanDate(day_first, year, "day", True, month_first, tuple(flags))
    if plausible[0] != day_first:
        flags.append("day_month_swapped")
    return CleanDate(plausible[0], year, "day", flags=tuple(flags))


def clean_birth_date(raw: str, *, today: dt.date | None = None) -> CleanDate:
    """Read dd/mm/yyyy (also with '.' or '-', one-digit parts, two-digit years), yyyy-mm-dd (a time after
    it is ignored), yyyymmdd or a bare year. Reasons: `empty`, `unreadable`, `invalid_date`, `out_of_range`
    (before 1900 or after `today`: by default the clock's; a caller cleaning many dates passes it once)."""
    text = (raw or "").strip()
    flags: list[str] = []
    if not text:
        return CleanDate(None, None, None, reason="empty")
    today = today or clock.today()
    if match := _ISO.fullmatch(text) or _COMPACT.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        value = _safe_date(year, month, day)
        result = (
            CleanDate(value, year, "day") if value else CleanDate(None, None, None, reason="invalid_date")
        )
    elif match := _DMY.fullmatch(text):
        year = _full_year(match.group(3), flags, today)
        result = _day_month(int(match.group(1)), int(match.group(2)), year, flags, today)
    elif _YEAR.fullmatch(text):
        result = CleanDate(None, int(text), "year")
    else:
        return CleanDate(None, None, None, reason="unreadable")
    return _checked(result, today)


# --------------------------------------------------------------------------------------------- phones


class CleanPhone(NamedTuple):
    value: str | None
    flags: tuple[str, ...] = ()
    reason: str = ""
    message: str = ""


_SEVERAL = re.compile(r"\s*[/,;]\s*|\s+-\s+")


def _renumbered(text: str) -> bool:
    """An 11-digit mobile number from before the 2018 renumbering (0168..., +84 168..., 0084 168...)."""
    digits = re.sub(r"\D", "", text).removeprefix("00")
    national = digits[2:] if digits.startswith("84") else digits.removeprefix("0")
    return len(national) == 10 and national[:3] in id_rules.OLD_MOBILE_PREFIXES


def clean_phone(raw: str) -> CleanPhone:
    """To E.164 through `identity.validators.normalise_phone`. Flags: `renumbered_2018`, `landline`,
    `several_numbers` (the first one is kept). Reasons: `empty`, `invalid` (with the validator's message)."""
    parts = [part for part in _SEVERAL.split((raw or "").strip()) if part]
    if not parts:
        return CleanPhone(None, reason="empty")
    flags = ["several_numbers"] if len(parts) > 1 else []
    try:
        value = validators.normalise_phone(parts[0])
    except validators.IdentityError as error:
        return CleanPhone(None, tuple(flags), "invalid", str(error.message))
    if _renumbered(parts[0]):
        flags.append("renumbered_2018")
    if len(value) == 13:
        flags.append("landline")
    return CleanPhone(value, tuple(flags))


# ------------------------------------------------------------------------------------------------ IDs


class CleanId(NamedTuple):
    """`kind`: cccd, cmnd, invalid or empty. `value` keeps the digits even when invalid (for the reject
    report). A 12-digit CMND (issued 2012-2016) follows the CCCD structure and is classed as cccd."""

    value: str | None
    kind: str
    flags: tuple[str, ...] = ()
    reason: str = ""


def _cccd_flags(parts: validators.CccdParts, sex: str | None, birth_year: int | None, province: str | None):
    flags = []
    if sex in ("M", "F") and parts.sex != sex:
        flags.append("sex_mismatch")
    if birth_year and not parts.year_matches(birth_year):
        flags.append("birth_year_mismatch")
    if province and parts.province_code != province:
        flags.append("province_mismatch")
    return flags


def clean_id(
    raw: str,
    *,
    sex: str | None,
    birth_year: int | None,
    province_code: str | None = None,
    column: str | None = None,
) -> CleanId:
    """Classify and check an identity number. A CCCD is checked against sex, birth year and (when given)
    the 3-digit birth-registration `province_code`: a mismatch is flagged, never dropped. `column` is the
    kind the source column was meant to hold ('cmnd' or 'cccd'): another kind is flagged `wrong_column`.
    Excel's lost leading zero (11 or 8 digits) is restored and flagged `leading_zero_restored`."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if not digits:
        return CleanId(None, "empty", reason="empty")
    flags = []
    if digits.isdigit() and len(digits) in (8, 11):
        digits = "0" + digits
        flags.append("leading_zero_restored")
    if not digits.isdigit() or len(digits) not in (9, 12):
        return CleanId(digits, "invalid", tuple(flags), "length")
    if len(digits) == 9:
        kind = "cmnd"
    else:
        try:
            parts = validators.parse_cccd(digits)
        except validators.IdentityError:
            return CleanId(digits, "invalid", tuple(flags), "unknown_province")
        kind = "cccd"
        flags += _cccd_flags(parts, sex, birth_year, province_code)
    if column and column != kind:
        flags.append("wrong_column")
    return CleanId(digits, kind, tuple(flags))


# -------------------------------------------------------------------------------------------- address


class CleanAddress(NamedTuple):
    """`unit_2021`: the lowest 2021 unit the text names; `unit_2025`: the unit covering it now.
    `confidence`: high (commune found inside its named district), medium (commune found by name inside
    the named province, unique there), low (only a district or province), none."""

    unit_2021: AdminUnit | None
    unit_2025: AdminUnit | None
    confidence: str
    reasons: tuple[str, ...] = ()


# Type words after folding, by the levels they can introduce ('tp' is a province or a district city).
_MARKERS = {
    "phuong": {Level.COMMUNE},
    "p": {Level.COMMUNE},
    "xa": {Level.COMMUNE},
    "x": {Level.COMMUNE},
    "tt": {Level.COMMUNE},
    "quan": {Level.DISTRICT},
    "q": {Level.DISTRICT},
    "huyen": {Level.DISTRICT},
    "h": {Level.DISTRICT},
    "tx": {Level.DISTRICT},
    "tp": {Level.PROVINCE, Level.DISTRICT},
    "tinh": {Level.PROVINCE},
    "t": {Level.PROVINCE},
}
_MULTIWORD = [("thi tran", "tt"), ("thi xa", "tx"), ("thanh pho", "tp")]
_TYPE_WORDS = re.compile(r"^(thanh pho|tinh|quan|huyen|thi xa|phuong|xa|thi tran) ")
_ATTACHED_NUMBER = re.compile(r"\b(p|q|phuong|quan)(\d{1,2})\b")
_PROVINCE_ALIASES = {"hcm": "ho chi minh", "tphcm": "ho chi minh", "sai gon": "ho chi minh", "hn": "ha noi"}
_MAX_NAME_WORDS = 5


def _name_key(name: str) -> str:
    """'Quận 01' -> '1', 'Tỉnh Bà Rịa - Vũng Tàu' -> 'ba ria vung tau': folded, without its type word."""
    key = _TYPE_WORDS.sub("", fold(name).replace("-", " "))
    key = " ".join(key.split())
    return str(int(key)) if key.isdigit() else key


def _tokens(raw: str) -> list[str]:
    text = fold(raw).replace(".", " ").replace(",", " ").replace("-", " ")
    text = _ATTACHED_NUMBER.sub(r"\1 \2", text)
    for words, marker in _MULTIWORD:
        text = re.sub(rf"\b{words}\b", marker, text)
    return [str(int(t)) if t.isdigit() else t for t in text.split()]


class AddressIndex:
    """Name indexes of the 2021 tree: provinces and districts loaded once, each province's communes on
    first use, successions read once. Build one per import run; it never scans all wards per row."""

    def __init__(self) -> None:
        self._provinces: dict[str, list[AdminUnit]] | None = None
        self._districts: dict[str, list[AdminUnit]] | None = None
        self._current_provinces: dict[str, list[AdminUnit]] | None = None
        self._communes: dict[str, dict[str, list[AdminUnit]]] = {}
        self._successions: dict[str, AdminUnit] | None = None  # of the whole 2021 map, read once

    @staticmethod
    def _index(units) -> dict[str, list[AdminUnit]]:
        index: dict[str, list[AdminUnit]] = {}
        for unit in units:
            index.setdefault(_name_key(unit.name), []).append(unit)
        return index

    def provinces(self) -> dict[str, list[AdminUnit]]:
        if self._provinces is None:
            units = AdminUnit.objects.filter(edition=Edition.PRE_2025, level=Level.PROVINCE)
            self._provinces = self._index(units)
        return self._provinces

    def districts(self) -> dict[str, list[AdminUnit]]:
        if self._districts is None:
            units = AdminUnit.objects.filter(edition=Edition.PRE_2025, level=Level.DISTRICT)
            self._districts = self._index(units)
        return self._districts

    def communes(self, province: AdminUnit) -> dict[str, list[AdminUnit]]:
        if province.path not in self._communes:
            units = AdminUnit.objects.filter(
                edition=Edition.PRE_2025, level=Level.COMMUNE, path__startswith=province.path
            )
            self._communes[province.path] = self._index(units)
        return self._communes[province.path]

    def current_provinces(self) -> dict[str, list[AdminUnit]]:
        if self._current_provinces is None:
            units = AdminUnit.objects.filter(edition=Edition.CURRENT, level=Level.PROVINCE)
            self._current_provinces = self._index(units)
        return self._current_provinces

    def current_communes(self, province: AdminUnit) -> dict[str, list[AdminUnit]]:
        key = f"current:{province.path}"
        if key not in self._communes:
            units = AdminUnit.objects.filter(
                edition=Edition.CURRENT, level=Level.COMMUNE, path__startswith=province.path
            )
            self._communes[key] = self._index(units)
        return self._communes[key]

    def successor(self, unit: AdminUnit) -> AdminUnit | None:
        if self._successions is None:
            self._successions = geo_services.successions_of(Edition.PRE_2025)
        return geo_services.unit_succession_current(unit, successions=self._successions)


@dataclass
class _Parse:
    tokens: list[str]
    reasons: list[str] = field(default_factory=list)

    def take(
        self, index: dict[str, list[AdminUnit]], level: str, inside: AdminUnit | None
    ) -> AdminUnit | None:
        """Match the longest run of trailing tokens against `index` (units inside `inside`), with the type
        word before it if any; consumes what it matched. A first pass respects the type words; a second
        one reads them as plain syllables ('Đan Phượng', 'Tĩnh Gia'). A bare number needs its type word."""
        for strict in (True, False):
            for size in range(min(_MAX_NAME_WORDS, len(self.tokens)), 0, -1):
                found, consumed = self._candidates(index, level, inside, size, strict)
                if len(found) > 1:
                    self.reasons.append(f"ambiguous_{level}")
                    return None
                if found:
                    del self.tokens[len(self.tokens) - consumed :]
                    return found[0]
        return None

    def _candidates(
        self, index: dict[str, list[AdminUnit]], level: str, inside: AdminUnit | None, size: int, strict: bool
    ) -> tuple[list[AdminUnit], int]:
        """The units the last `size` tokens name, and how many tokens that is with a fitting type word."""
        words = self.tokens[len(self.tokens) - size :]
        marker = self.tokens[-size - 1] if len(self.tokens) > size else ""
        marker_fits = level in _MARKERS.get(marker, ())
        if words[0].isdigit() and not marker_fits:
            return [], 0
        if strict and (words[0] in _MARKERS or (marker in _MARKERS and not marker_fits)):
            return [], 0
        key = " ".join(words)
        if level == Level.PROVINCE:
            key = _PROVINCE_ALIASES.get(key, key)
        found = [u for u in index.get(key, []) if inside is None or u.path.startswith(inside.path)]
        return found, size + (1 if marker_fits else 0)


def _locate(raw: str, index: AddressIndex) -> tuple[AdminUnit | None, str, list[str]]:
    parse = _Parse(_tokens(raw))
    province = parse.take(index.provinces(), Level.PROVINCE, None)
    district = parse.take(index.districts(), Level.DISTRICT, province)
    province = province or (district and _province_of(district, index))
    commune = parse.take(index.communes(province), Level.COMMUNE, district) if province else None
    if commune:
        return commune, "high" if district else "medium", parse.reasons
    unit = district or province
    if unit is None:
        return None, "none", [*parse.reasons, "not_found"]
    return unit, "low", [*parse.reasons, "commune_not_found"]


def _commune_successor(unit: AdminUnit, index: AddressIndex) -> bool:
    current = index.successor(unit)
    return current is not None and current.level == Level.COMMUNE


def _locate_current(raw: str, index: AddressIndex) -> AdminUnit | None:
    """The 2025 commune the text names inside its named 2025 province ('Phường Thủ Dầu Một, Thành phố Hồ
    Chí Minh'): sources kept after the reform, and people, write today's names."""
    parse = _Parse(_tokens(raw))
    province = parse.take(index.current_provinces(), Level.PROVINCE, None)
    return parse.take(index.current_communes(province), Level.COMMUNE, province) if province else None


def _province_of(unit: AdminUnit, index: AddressIndex) -> AdminUnit | None:
    code = unit.path.split("/", 1)[0]
    return next((u for units in index.provinces().values() for u in units if u.code == code), None)


_STREET_TYPE_WORDS = {"so", "duong", "d"}  # "Số 12 Đường Lê Lợi", "12 Đ. Lê Lợi": the same house
_STREET_PUNCTUATION = re.compile(r"[,.;]")


def street_key(text: str) -> str:
    """The house number and street as a comparable key: 'Số 125/7 Đường Lê Lợi' -> '125/7 le loi'.
    Folded, without the type words sources add or leave out; 'hẻm' (alley) stays, since '12 Hẻm Lê Lợi'
    and '12 Lê Lợi' are different houses."""
    words = _STREET_PUNCTUATION.sub(" ", fold(text)).split()
    return " ".join(word for word in words if word not in _STREET_TYPE_WORDS)


def clean_address(raw: str, *, index: AddressIndex | None = None) -> CleanAddress:
    """Free text ('Phường Bến Thành, Quận 1, TP.HCM', 'P. Ben Thanh Q1 HCM', 'xã An Phú, huyện Củ Chi')
    -> the lowest 2021 unit it names, read from the end (province, district, commune), and the 2025 unit
    that took it over (`geography.services.unit_succession_current`). Unless that reading found the commune
    in its district (or by name in its province, with a commune as successor), a reading of the 2025 map
    (province, commune) is tried: its commune wins, reason `current_units`. Reasons: `empty`, `not_found`,
    `commune_not_found`, `ambiguous_<level>`, `coarse_successor` (the
    2025 unit is a province: the ward merged under a new name), `no_successor`."""
    if not (raw or "").strip():
        return CleanAddress(None, None, "none", ("empty",))
    index = index or AddressIndex()
    unit, confidence, reasons = _locate(raw, index)
    settled = confidence == "high" or (confidence == "medium" and _commune_successor(unit, index))
    if not settled and (commune := _locate_current(raw, index)):
        return CleanAddress(unit if confidence == "medium" else None, commune, "medium", ("current_units",))
    if unit is None:
        return CleanAddress(None, None, confidence, tuple(reasons))
    current = index.successor(unit)
    if current is None:
        reasons.append("no_successor")
    elif unit.level == Level.COMMUNE and current.level != Level.COMMUNE:
        reasons.append("coarse_successor")
    return CleanAddress(unit, current, confidence, tuple(reasons))
