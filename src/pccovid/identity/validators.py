"""Identity documents and phone numbers: parse, check, normalise. Errors say which part is wrong."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pccovid.core.errors import ApplicationError
from pccovid.identity import rules


class IdentityError(ApplicationError):
    code = "invalid_identity"


_NON_DIGITS = re.compile(r"[\s.\-()]")


@dataclass(frozen=True)
class CccdParts:
    province_code: str
    sex: str
    birth_year_suffix: int
    century_start: int

    def year_matches(self, year: int) -> bool:
        return self.century_start <= year < self.century_start + 100 and year % 100 == self.birth_year_suffix


def parse_cccd(value: str, *, field: str = "national_id") -> CccdParts:
    """Check the structure of a 12-digit CCCD / personal identification number."""
    number = _NON_DIGITS.sub("", value or "")
    if not re.fullmatch(r"\d{12}", number):
        raise IdentityError(_("A CCCD number has exactly 12 digits."), field=field)
    province = number[:3]
    if province not in rules.CCCD_PROVINCE_CODES:
        raise IdentityError(
            _("The first 3 digits of a CCCD are a province code; %(code)s is not one.") % {"code": province},
            field=field,
        )
    century_start, sex = rules.CCCD_CENTURY_SEX[int(number[3])]
    return CccdParts(province, sex, int(number[4:6]), century_start)


def check_cccd(value: str, *, sex: str | None, birth_date: dt.date | None, field: str = "national_id") -> str:
    """Validate a CCCD against the person's stated sex and birth year. Returns the bare 12 digits."""
    parts = parse_cccd(value, field=field)
    if sex and sex in ("M", "F") and parts.sex != sex:
        raise IdentityError(
            _("Digit 4 of this CCCD says the holder is %(cccd)s, but the stated sex is %(stated)s.")
            % {"cccd": _sex_word(parts.sex), "stated": _sex_word(sex)},
            field=field,
        )
    if birth_date and not parts.year_matches(birth_date.year):
        raise IdentityError(
            _(
                "Digits 4-6 of this CCCD give a birth year ending in %(yy)02d in the %(century)ss, "
                "but the stated birth year is %(year)d."
            )
            % {"yy": parts.birth_year_suffix, "century": parts.century_start, "year": birth_date.year},
            field=field,
        )
    return _NON_DIGITS.sub("", value)


def check_cmnd(value: str, *, field: str = "national_id") -> str:
    """The old identity card: 9 digits (a few provinces issued 12-digit CMND from 2012: use CCCD rules)."""
    number = _NON_DIGITS.sub("", value or "")
    if not re.fullmatch(r"\d{9}", number):
        raise IdentityError(_("A CMND number has exactly 9 digits."), field=field)
    return number


def check_social_insurance(value: str, *, field: str = "social_insurance") -> str:
    """The social insurance number (mã số BHXH): 10 digits, a person's for life. It is the tail of every
    health-insurance card they hold, whose prefix (beneficiary group, benefit level, province) changes."""
    number = _NON_DIGITS.sub("", value or "")
    if not re.fullmatch(r"\d{10}", number):
        raise IdentityError(_("A social insurance number has exactly 10 digits."), field=field)
    return number


_HEALTH_INSURANCE_CARD = re.compile(r"[A-Z]{2}[1-5]\d{2}(\d{10})")


def social_insurance_of_card(card: str) -> str | None:
    """The social insurance number a health-insurance card number ends with ("HS4790123456789" ->
    "0123456789": 2 letters, the benefit level 1-5, the 2-digit province, then it), or None."""
    match = _HEALTH_INSURANCE_CARD.fullmatch((card or "").strip().upper())
    return match.group(1) if match else None


def check_passport(value: str, *, field: str = "passport") -> str:
    number = re.sub(r"\s", "", value or "").upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        raise IdentityError(_("A passport number has 5 to 20 letters and digits."), field=field)
    return number


def normalise_phone(value: str, *, field: str = "phone", mobile_only: bool = False) -> str:
    """Any common Vietnamese form (0903..., +84 903..., 84903..., 0084..., old 11-digit 0168...) -> E.164."""
    raw = (value or "").strip()
    digits = _NON_DIGITS.sub("", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise IdentityError(
            _("A phone number may contain only digits, spaces, dots, dashes and a leading +."), field=field
        )
    if digits.startswith("84") and len(digits) in (11, 12):
        national = digits[2:]
    elif digits.startswith("0") and len(digits) in (10, 11):
        national = digits[1:]
    else:
        raise IdentityError(_("'%(value)s' is not a Vietnamese phone number.") % {"value": raw}, field=field)
    if len(national) == 10 and national[:3] in rules.OLD_MOBILE_PREFIXES:
        national = rules.OLD_MOBILE_PREFIXES[national[:3]] + national[3:]
    is_mobile = len(national) == 9 and national[0] in rules.MOBILE_FIRST_DIGITS
    is_landline = len(national) == 10 and national[0] == "2"
    if not (is_mobile or (is_landline and not mobile_only)):
        message = (
            _("'%(value)s' is not a Vietnamese mobile number.")
            if mobile_only
            else _("'%(value)s' is not a Vietnamese phone number.")
        )
        raise IdentityError(message % {"value": raw}, field=field)
    return "+84" + national


def _sex_word(sex: str) -> str:
    return _("male") if sex == "M" else _("female")
