"""The dirty-data generator: the 2021 apps' extracts, written from the demo population with their faults.

People come from the database (run `pccovid seed_demo` first); everything drawn afterwards comes from one
`random.Random(seed)`, so the same database and seed give byte-identical files. Beside the extracts it
writes `truth.csv` (source, record id, person qid), which only evaluation reads.

The rates below are documented in `docs/legacy-formats.md`; each is the share of the fields (or records)
that could carry the fault. Name spelling faults exclude each other; decomposed Unicode is independent.
"""

import contextlib
import csv
import datetime as dt
import io
import json
import random
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pccovid.core.errors import ApplicationError
from pccovid.core.text import fold
from pccovid.demo.generator import REFERENCE_DATE
from pccovid.geography.models import AdminUnit, Edition, Level, UnitSuccession
from pccovid.identity import rules as identity_rules
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier
from pccovid.migration import formats
from pccovid.migration.formats import ExtractFormat, FileKind

# Names (per name field). Spelling faults, one at most per field:
NAME_NO_DIACRITICS = 0.15  # "Nguyen Van An"
NAME_WRONG_DIACRITICS = 0.05  # one tone mark changed or added: "Nguyến Văn An"
NAME_TELEX = 0.03  # one word typed in Telex without the IME: "Nguyeenx"
NAME_VNI = 0.02  # one word typed in VNI without the IME: "Nguye6n4"
NAME_SWAPPED = 0.04  # given name first: "An Nguyễn Văn"
NAME_TYPO = 0.05  # one letter dropped, doubled, swapped with the next or replaced
NAME_NFD = 0.10  # independent of the above: decomposed Unicode (base letter + combining marks)

# Birth dates (per date field).
DATE_DAY_MONTH_SWAPPED = 0.05  # of dates whose day is 12 or less and differs from the month
DATE_YEAR_ONLY = 0.06  # "1985"

# Phones (per phone field). The form of a written number, by weight:
PHONE_FORMS = {"national": 45, "e164": 15, "spaced_84": 10, "spaced": 10, "dotted": 5, "old_11_digit": 15}
PHONE_FAMILY_SHARED = 0.10  # a person with a phone declared with the household head's phone
PHONE_MISSING = 0.05

# Identity documents.
CMND_PREFERRED = 0.70  # a CMND holder gives the CMND (not the CCCD) to NCOVI and the ward lists
ID_MISSING = {"ncovi": 0.25, "vaccination": 0.05, "ward_tests": 0.30, "ward_vaccinations": 0.30}
ID_WRONG_TYPE = 0.10  # vaccination portal: id_type does not describe id_number
SOCIAL_INSURANCE_CCCD_MISSING = 0.40

# Records.
DUPLICATE = 0.03  # per record: the same record sent again (drawn again, so it may differ)
MOVED = 0.05  # per record: the address is one where the person lived before
ADDRESS_PRE_2025 = 0.70  # per address, when the commune has a 2021 predecessor: named in 2021 units
ADDRESS_ABBREVIATED = 0.40  # "P. Bến Thành, Q.1, TP.HCM"

# Who appears where.
BLUEZONE_SHARE = 0.50  # of adults with a phone
NCOVI_SHARE = 0.50
ENTRY_DECLARATION = 0.03  # of NCOVI declarations
VNEID_SHARE = 0.25  # of people aged 14 or more
VACCINATED_SHARE = 0.80  # of people aged 12 or more; one or two doses
SECOND_DOSE = 0.60
WARD_VACCINATION_LISTED = 0.40  # of doses, also on the ward's list
WARD_TEST_SHARE = 0.30
SOCIAL_INSURANCE_SHARE = 0.90

BATCH = 2_000
ADULT_AGE = 18
VACCINES = ("AstraZeneca", "Pfizer-BioNTech", "Moderna", "Sinopharm (Vero Cell)", "Sputnik V")
VACCINATION_START = dt.date(2021, 3, 8)
DECLARATIONS_START = dt.date(2020, 3, 10)
BLUEZONE_START = dt.date(2020, 4, 18)
TEST_KINDS = ("PCR", "Test nhanh kháng nguyên")
INSURANCE_OBJECTS_ADULT = ("DN", "GD", "HC", "CN", "HX")  # employee, household, civil servant, ...

_TONES = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_VNI_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_TELEX_LETTERS = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}
_VNI_LETTERS = {"â": "a6", "ê": "e6", "ô": "o6", "ă": "a8", "ơ": "o7", "ư": "u7", "đ": "d9"}
_ABBREVIATIONS = (
    ("Thành phố Hồ Chí Minh", "TP.HCM"),
    ("Thành phố ", "TP. "),
    ("Phường ", "P. "),
    ("Quận ", "Q."),
    ("Huyện ", "H. "),
    ("Xã ", "X. "),
    ("Tỉnh ", ""),
)
_NEW_TO_OLD_PREFIX = {new: old for old, new in identity_rules.OLD_MOBILE_PREFIXES.items()}


class LegacyGenerationError(ApplicationError):
    code = "legacy_generate_failed"


@dataclass(frozen=True, slots=True)
class Place:
    """Where someone lives, as the two maps name it: the 2021 names are empty without a predecessor."""

    street: str
    commune: str
    province: str
    old_commune: str = ""
    old_district: str = ""
    old_province: str = ""


@dataclass(frozen=True, slots=True)
class LegacyPerson:
    qid: str
    full_name: str
    birth_date: dt.date
    sex: str
    cccd: str
    cmnd: str
    phone: str  # E.164 or ""
    family_phone: str  # the household head's (or first member's) phone, E.164 or ""
    place: Place

    @property
    def age(self) -> int:
        born = self.birth_date
        return (
            REFERENCE_DATE.year
            - born.year
            - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))
        )


@dataclass
class GenerationReport:
    people: int
    records: Counter = field(default_factory=Counter)  # per source
    faults: Counter = field(default_factory=Counter)  # per fault, including the fields that could carry it


def legacy_people_load(*, people: int, seed: int) -> list[LegacyPerson]:
    """`people` persons drawn (with the seed) from the database, in database order."""
    if people < 1:
        raise LegacyGenerationError(f"The number of people must be at least 1, not {people}.")
    try:
        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    except DatabaseError as error:
        raise LegacyGenerationError(
            f"The database cannot be read ({error}): run `pccovid migrate` and `pccovid seed_demo` first."
        ) from error
    if len(ids) < people:
        raise LegacyGenerationError(
            f"The database holds {len(ids):,} people, fewer than the {people:,} asked for: "
            "run `pccovid seed_demo --people N` first."
        )
    rng = random.Random(f"{seed}:people")
    chosen = sorted(rng.sample(ids, people))
    places = _PlaceNames()
    return [
        person
        for start in range(0, people, BATCH)
        for person in _batch_load(chosen[start : start + BATCH], places, rng)
    ]


class _PlaceNames:
    """Current commune and province names by unit, and each current commune's 2021 predecessors."""

    def __init__(self) -> None:
        units = AdminUnit.objects.filter(edition=Edition.CURRENT)
        self.paths = dict(units.values_list("pk", "path"))
        self.names = dict(units.filter(level__in=[Level.PROVINCE, Level.COMMUNE]).values_list("code", "name"))
        self.predecessors: dict[str, list[tuple[str, str, str]]] = {}
        successions = (
            UnitSuccession.objects.filter(old_unit__level=Level.COMMUNE, new_unit__level=Level.COMMUNE)
            .select_related("old_unit__parent__parent", "new_unit")
            .order_by("old_unit__code")
        )
        for link in successions:
            old = link.old_unit
            district = old.parent
            province = district.parent if district else None
            names = (old.name, district.name if district else "", province.name if province else "")
            self.predecessors.setdefault(link.new_unit.code, []).append(names)

    def place(self, unit_id: int, street: str, rng: random.Random) -> Place:
        codes = self.paths[unit_id].strip("/").split("/")
        commune = codes[1] if len(codes) > 1 else codes[0]
        old = rng.choice(self.predecessors.get(commune) or [("", "", "")])
        return Place(street, self.names.get(commune, ""), self.names.get(codes[0], ""), *old)


def _batch_load(ids: list[int], places: _PlaceNames, rng: random.Random) -> Iterator[LegacyPerson]:
    rows = list(
        Person.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk", "qid", "full_name", "birth_date", "sex", "residence_unit_id", "household_id", "address_line"
        )
    )
    identifiers: dict[int, dict[str, str]] = {}
    for person_id, kind, value in (
        PersonIdentifier.objects.filter(person_id__in=ids)
        .order_by("pk")
        .values_list("person_id", "kind", "value")
    ):
        identifiers.setdefault(person_id, {}).setdefault(kind, value)
    family = _family_phones({row[6] for row in rows if row[6]})
    for pk, qid, name, born, sex, unit_id, household_id, address in rows:
        ids_of = identifiers.get(pk, {})
        yield LegacyPerson(
            qid=qid,
            full_name=name,
            birth_date=born,
            sex=sex,
            cccd=ids_of.get(IdentifierKind.CCCD, ""),
            cmnd=ids_of.get(IdentifierKind.CMND, ""),
            phone=ids_of.get(IdentifierKind.PHONE, ""),
            family_phone=family.get(household_id, ""),
            place=places.place(unit_id, address, rng),
        )


def _family_phones(households: set[int]) -> dict[int, str]:
    """The phone a household declares with: its head's, else its first member's."""
    members = {
        pk: (household, relation)
        for pk, household, relation in Person.objects.filter(household_id__in=households).values_list(
            "pk", "household_id", "household_relation"
        )
    }  # two indexed lookups: joining identifiers to persons made SQLite scan every phone per batch
    rows = (
        PersonIdentifier.objects.filter(kind=IdentifierKind.PHONE, person_id__in=members)
        .order_by("person_id")
        .values_list("person_id", "value")
    )
    phones: dict[int, str] = {}
    for person_id, value in rows:
        household, relation = members[person_id]
        if relation == Person.Relation.HEAD or household not in phones:
            phones[household] = value
    return phones


class Faults:
    """Renders true values the way the old apps held them, counting each fault it applies."""

    def __init__(self, rng: random.Random, counts: Counter):
        self.rng = rng
        self.counts = counts

    def hit(self, fault: str, rate: float) -> bool:
        self.counts[f"{fault}.eligible"] += 1
        hit = self.rng.random() < rate
        self.counts[fault] += hit
        return hit

    def name(self, name: str) -> str:
        self.counts["name.eligible"] += 1
        draw = self.rng.random()
        for fault, rate, apply in (
            ("name_no_diacritics", NAME_NO_DIACRITICS, _strip_marks),
            ("name_wrong_diacritics", NAME_WRONG_DIACRITICS, self._wrong_tone),
            ("name_telex", NAME_TELEX, lambda n: self._typed(n, _TELEX_LETTERS, _TONES)),
            ("name_vni", NAME_VNI, lambda n: self._typed(n, _VNI_LETTERS, _VNI_TONES)),
            ("name_swapped", NAME_SWAPPED, _given_first),
            ("name_typo", NAME_TYPO, self._typo),
        ):
            if draw < rate:
                self.counts[fault] += 1
                name = apply(name)
                break
            draw -= rate
        if self.rng.random() < NAME_NFD:
            self.counts["name_nfd"] += 1
            return unicodedata.normalize("NFD", name)
        return name

    def _wrong_tone(self, name: str) -> str:
        letters = list(unicodedata.normalize("NFD", name))
        vowels = [i for i, ch in enumerate(letters) if fold(ch) in "aeiouy" and ch.isalpha()]
        tones = [i for i, ch in enumerate(letters) if ch in _TONES]
        if tones:
            i = self.rng.choice(tones)
            letters[i] = self.rng.choice([t for t in _TONES if t != letters[i]])
        else:
            letters.insert(self.rng.choice(vowels) + 1, self.rng.choice(list(_TONES)))
        return unicodedata.normalize("NFC", "".join(letters))

    def _typed(self, name: str, letters: dict[str, str], tones: dict[str, str]) -> str:
        """One word with diacritics typed without the input method: letters spelled out, tone key last."""
        words = name.split(" ")
        marked = [i for i, word in enumerate(words) if word != _strip_marks(word)]
        if not marked:
            return name
        i = self.rng.choice(marked)
        words[i] = _spell(words[i], letters, tones)
        return " ".join(words)

    def _typo(self, name: str) -> str:
        rng = self.rng
        i = rng.choice([k for k, ch in enumerate(name) if ch.isalpha()])
        edit = rng.randrange(4)
        if edit == 0 and len(name) > 1:
            return name[:i] + name[i + 1 :]
        if edit == 1:
            return name[: i + 1] + name[i:]
        if edit == 2 and i + 1 < len(name) and name[i + 1] != " ":
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        return name[:i] + rng.choice("aeionuhtgcm") + name[i + 1 :]

    def birth_date(self, born: dt.date, *, pattern: str = "%d/%m/%Y") -> str:
        if self.hit("date_year_only", DATE_YEAR_ONLY):
            return str(born.year)
        if born.day <= 12 and born.day != born.month and self.hit("date_swapped", DATE_DAY_MONTH_SWAPPED):
            return dt.date(born.year, born.day, born.month).strftime(pattern)
        return born.strftime(pattern)

    def phone(self, person: LegacyPerson) -> str:
        """The number as written: own or family phone, in one of the usual forms; '' when left out."""
        number = person.phone or person.family_phone
        if self.hit("phone_missing", PHONE_MISSING) or not number:
            return ""
        if person.family_phone and person.family_phone != number:
            if self.hit("phone_family_shared", PHONE_FAMILY_SHARED):
                number = person.family_phone
        elif not person.phone:
            self.counts["phone_family_only"] += 1
        form = self.rng.choices(list(PHONE_FORMS), weights=list(PHONE_FORMS.values()))[0]
        return self._phone_form(number.removeprefix("+84"), form)

    def _phone_form(self, national: str, form: str) -> str:
        if form == "old_11_digit" and national[:2] in _NEW_TO_OLD_PREFIX:
            self.counts["phone_old_11_digit"] += 1
            return f"0{_NEW_TO_OLD_PREFIX[national[:2]]}{national[2:]}"
        form = "national" if form == "old_11_digit" else form
        self.counts[f"phone_{form}"] += 1
        blocks = f"{national[:2]} {national[2:5]} {national[5:]}"
        return {
            "national": f"0{national}",
            "e164": f"+84{national}",
            "spaced_84": f"84 {blocks}",
            "spaced": f"0{national[:3]} {national[3:6]} {national[6:]}",
            "dotted": f"0{national[:3]}.{national[3:6]}.{national[6:]}",
        }[form]

    def id_document(self, person: LegacyPerson, source: str) -> str:
        """The ID a person gave: CMND holders mostly give the CMND; '' when left out."""
        if self.hit(f"id_missing_{source}", ID_MISSING[source]):
            return ""
        if person.cmnd and self.rng.random() < CMND_PREFERRED:
            self.counts["id_cmnd"] += 1
            return person.cmnd
        return person.cccd

    def address(self, person: LegacyPerson, everyone: list[LegacyPerson]) -> str:
        place = person.place
        if self.hit("moved", MOVED):
            place = self.rng.choice(everyone).place
        units = [place.commune, place.province]
        if place.old_commune and self.hit("address_pre_2025", ADDRESS_PRE_2025):
            units = [place.old_commune, place.old_district, place.old_province]
        text = ", ".join(part for part in [place.street, *units] if part)
        if self.hit("address_abbreviated", ADDRESS_ABBREVIATED):
            for long, short in _ABBREVIATIONS:
                text = text.replace(long, short)
        return text

    def moment(self, start: dt.date, end: dt.date = REFERENCE_DATE) -> dt.datetime:
        seconds = self.rng.randrange(int((end - start).total_seconds()))
        return dt.datetime.combine(
            start, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=7))
        ) + dt.timedelta(seconds=seconds)


def _strip_marks(text: str) -> str:
    """Diacritics off, case kept: 'Đặng Thị Ánh' -> 'Dang Thi Anh'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _given_first(name: str) -> str:
    words = name.split(" ")
    return " ".join([words[-1], *words[:-1]]) if len(words) > 1 else name


def _spell(word: str, letters: dict[str, str], tones: dict[str, str]) -> str:
    """'Nguyễn' -> 'Nguyeenx' (Telex) or 'Nguye6n4' (VNI): the keys typed with no input method running."""
    out, tone = [], ""
    for char in unicodedata.normalize("NFC", word):
        parts = unicodedata.normalize("NFD", char)
        tone = tone or next((tones[m] for m in parts if m in tones), "")
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
        spelled = letters.get(base.lower(), base)
        out.append(spelled[0].upper() + spelled[1:] if base.isupper() else spelled)
    return "".join(out) + tone


class _Sinks:
    """One writer per extract and the truth file; `write` numbers records and records the truth."""

    def __init__(self, out: Path, stack: contextlib.ExitStack, report: GenerationReport):
        self.report = report
        self._writers: dict[str, Callable[[list[str]], None]] = {}
        self.truth = csv.writer(self._open(out / formats.TRUTH_FILE, stack))
        self.truth.writerow(formats.TRUTH_FIELDS)
        for extract in formats.SOURCES.values():
            path = out / extract.file_name
            self._writers[extract.source] = self._writer(extract, path, stack)
            self._writers[extract.source](list(extract.fields))

    @staticmethod
    def _open(path: Path, stack: contextlib.ExitStack):
        return stack.enter_context(path.open("w", encoding="utf-8", newline=""))

    def _writer(
        self, extract: ExtractFormat, path: Path, stack: contextlib.ExitStack
    ) -> Callable[[list[str]], None]:
        if extract.kind is FileKind.XLSX:
            sheet = stack.enter_context(_xlsx(path, extract.sheet))
            return sheet.append
        handle = self._open(path, stack)
        if extract.kind is FileKind.CSV:
            return csv.writer(handle).writerow
        header: list[str] = []

        def write_json(values: list[str]) -> None:
            if not header:
                header.extend(values)
                return
            handle.write(json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False) + "\n")

        return write_json

    def write(self, source: str, qid: str, values: dict[str, str]) -> str:
        extract = formats.SOURCES[source]
        self.report.records[source] += 1
        number = self.report.records[source]
        record_id = str(number) if extract.kind is FileKind.XLSX else f"{source[:3].upper()}{number:08d}"
        self._writers[source](
            [record_id if name == extract.record_id else values[name] for name in extract.fields]
        )
        self.truth.writerow((source, record_id, qid))
        return record_id


@contextlib.contextmanager
def _xlsx(path: Path, sheet_name: str):
    """A write-only workbook saved with fixed timestamps (in its properties and in the zip entries), so
    the same rows give the same bytes."""
    workbook = Workbook(write_only=True)
    fixed = dt.datetime.combine(REFERENCE_DATE, dt.time())
    workbook.properties.created = workbook.properties.modified = fixed
    sheet = workbook.create_sheet(sheet_name)
    yield sheet
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w")).save()  # `Workbook.save` would stamp "modified"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=fixed.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info))


class LegacyGenerator:
    """Emits each person's records into every source they appear in, with duplicates."""

    def __init__(self, *, seed: int, people: list[LegacyPerson], sinks: _Sinks, counts: Counter):
        self.rng = random.Random(seed)
        self.people = people
        self.sinks = sinks
        self.faults = Faults(self.rng, counts)

    def person(self, person: LegacyPerson) -> None:
        rng = self.rng
        if person.phone and person.age >= ADULT_AGE and rng.random() < BLUEZONE_SHARE:
            self._emit("bluezone", person, self._bluezone)
        if rng.random() < NCOVI_SHARE:
            self._emit("ncovi", person, self._ncovi)
        if person.age >= 14 and rng.random() < VNEID_SHARE:
            self._emit("vneid", person, self._vneid)
        if person.age >= 12 and rng.random() < VACCINATED_SHARE:
            self.doses(person)
        if rng.random() < WARD_TEST_SHARE:
            self._emit("ward_tests", person, self._ward_test)
        if rng.random() < SOCIAL_INSURANCE_SHARE:
            self._emit("social_insurance", person, self._social_insurance)

    def _emit(
        self, source: str, person: LegacyPerson, render: Callable[[LegacyPerson], dict[str, str]]
    ) -> None:
        self.sinks.write(source, person.qid, render(person))
        if self.rng.random() < DUPLICATE:
            self.faults.counts[f"duplicate_{source}"] += 1
            self.sinks.write(source, person.qid, render(person))

    def _bluezone(self, person: LegacyPerson) -> dict[str, str]:
        return {
            "bluezone_id": f"{self.rng.getrandbits(64):016x}",
            "phone": self.faults.phone(person),
            "registered_at": self.faults.moment(BLUEZONE_START).isoformat(),
        }

    def _identity(self, person: LegacyPerson) -> dict[str, str]:
        f = self.faults
        return {
            "full_name": f.name(person.full_name),
            "birth_date": f.birth_date(person.birth_date),
            "sex": person.sex,
            "phone": f.phone(person),
            "address": f.address(person, self.people),
        }

    def _ncovi(self, person: LegacyPerson) -> dict[str, str]:
        entry = self.rng.random() < ENTRY_DECLARATION
        return {
            **self._identity(person),
            "declaration_type": "entry" if entry else "domestic",
            "declared_at": self.faults.moment(DECLARATIONS_START).isoformat(),
            "id_number": self.faults.id_document(person, "ncovi"),
            "symptoms": self.rng.choices(["không", "ho", "sốt", "đau họng"], weights=[90, 4, 3, 3])[0],
            "exposure": "không",
            "entry_gate": "Sân bay Tân Sơn Nhất" if entry else "",
            "flight": f"VN{self.rng.randrange(1, 999):04d}" if entry else "",
        }

    def _vneid(self, person: LegacyPerson) -> dict[str, str]:
        identity = self._identity(person)
        identity["birth_date"] = self.faults.birth_date(person.birth_date, pattern="%Y-%m-%d")
        return {
            **identity,
            "cccd": person.cccd,
            "declared_at": self.faults.moment(dt.date(2021, 7, 1)).isoformat(),
            "health": self.rng.choices(["bình thường", "có triệu chứng"], weights=[97, 3])[0],
        }

    def doses(self, person: LegacyPerson) -> None:
        """One or two doses on the portal, some also on the ward's list."""
        rng = self.rng
        vaccine = rng.choice(VACCINES)
        first = VACCINATION_START + dt.timedelta(days=rng.randrange(150))
        doses = [first] + (
            [first + dt.timedelta(days=rng.randint(28, 84))] if rng.random() < SECOND_DOSE else []
        )
        for number, day in enumerate(doses, start=1):
            dose = {"dose_number": str(number), "vaccine": vaccine, "vaccinated_on": day.strftime("%d/%m/%Y")}
            self._emit("vaccination", person, lambda p, dose=dose: self._portal_dose(p, dose))
            if rng.random() < WARD_VACCINATION_LISTED:
                self._emit("ward_vaccinations", person, lambda p, dose=dose: self._ward_dose(p, dose))

    def _portal_dose(self, person: LegacyPerson, dose: dict[str, str]) -> dict[str, str]:
        id_type, id_number = self._portal_id(person)
        commune = person.place.old_commune or person.place.commune
        return {
            **self._identity(person),
            "id_type": id_type,
            "id_number": id_number,
            "dose_number": dose["dose_number"],
            "vaccine": dose["vaccine"],
            "lot": f"{self.rng.choice('ABFKMT')}{self.rng.randrange(10**5):05d}",
            "vaccinated_on": dose["vaccinated_on"],
            "site": f"Trạm Y tế {commune}",
        }

    def _portal_id(self, person: LegacyPerson) -> tuple[str, str]:
        """(id_type, id_number) as typed at the vaccination site, the type often not matching the number."""
        number = self.faults.id_document(person, "vaccination")
        if not number:
            return "", ""
        right = "CMND" if len(number) == 9 else "CCCD"
        if self.faults.hit("id_wrong_type", ID_WRONG_TYPE):
            if person.phone and self.rng.random() < 0.3:
                return "CCCD", f"0{person.phone.removeprefix('+84')}"
            return ("CCCD" if right == "CMND" else "CMND"), number
        return right, number

    def _ward_row(self, person: LegacyPerson, source: str) -> dict[str, str]:
        identity = self._identity(person)
        place = person.place
        return {
            "Họ và tên": identity["full_name"],
            "Giới tính": "Nam" if person.sex == "M" else "Nữ",
            "Số CMND/CCCD": self.faults.id_document(person, source),
            "Số điện thoại": identity["phone"],
            "Địa chỉ": identity["address"],
            "Phường/Xã": place.old_commune or place.commune,
        }

    def _ward_test(self, person: LegacyPerson) -> dict[str, str]:
        return {
            **self._ward_row(person, "ward_tests"),
            "Năm sinh": str(person.birth_date.year),
            "Ngày lấy mẫu": self.faults.moment(dt.date(2021, 5, 1)).strftime("%d/%m/%Y"),
            "Loại xét nghiệm": self.rng.choice(TEST_KINDS),
            "Kết quả": "Dương tính" if self.rng.random() < 0.03 else "Âm tính",
        }

    def _ward_dose(self, person: LegacyPerson, dose: dict[str, str]) -> dict[str, str]:
        return {
            **self._ward_row(person, "ward_vaccinations"),
            "Ngày sinh": self.faults.birth_date(person.birth_date),
            "Mũi": dose["dose_number"],
            "Loại vắc xin": dose["vaccine"],
            "Ngày tiêm": dose["vaccinated_on"],
        }

    def _social_insurance(self, person: LegacyPerson) -> dict[str, str]:
        f = self.faults
        number = f"{self.rng.randrange(10**10):010d}"
        valid_from = dt.date(2021, 1, 1)
        return {
            "card_number": f"{self._insurance_object(person)}{self.rng.randint(1, 5)}79{number}",
            "social_insurance_number": number,
            "full_name": f.name(person.full_name),
            "birth_date": f.birth_date(person.birth_date),
            "sex": "Nam" if person.sex == "M" else "Nữ",
            "cccd": ""
            if f.hit("social_insurance_cccd_missing", SOCIAL_INSURANCE_CCCD_MISSING)
            else person.cccd,
            "address": f.address(person, self.people),
            "facility": f"Trạm Y tế {person.place.commune}",
            "valid_from": valid_from.strftime("%d/%m/%Y"),
            "valid_to": dt.date(2021, 12, 31).strftime("%d/%m/%Y"),
        }

    def _insurance_object(self, person: LegacyPerson) -> str:
        """The two letters of the card: who pays (TE under 6, HS pupils, HT pensioners, else drawn)."""
        if person.age < 6:
            return "TE"
        if person.age < ADULT_AGE:
            return "HS"
        if person.age >= 60:
            return "HT"
        return self.rng.choice(INSURANCE_OBJECTS_ADULT)


def legacy_extracts_write(*, people: int, seed: int, out: Path, progress: bool = False) -> GenerationReport:
    """Write every source's extract and the truth file into `out` (created if needed)."""
    population = legacy_people_load(people=people, seed=seed)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LegacyGenerationError(f"Cannot create {out}: {error.strerror}.") from error
    report = GenerationReport(people=people)
    try:
        with contextlib.ExitStack() as stack, _bar(people, progress) as advance:
            generator = LegacyGenerator(
                seed=seed, people=population, sinks=_Sinks(out, stack, report), counts=report.faults
            )
            for person in population:
                generator.person(person)
                advance()
    except OSError as error:
        raise LegacyGenerationError(f"Cannot write into {out}: {error.strerror}.") from error
    return report


class _VaccinationSink:
    """Writes the vaccination portal's records only (the ward lists drawn beside them are dropped)."""

    def __init__(self, handle) -> None:
        self.extract = formats.VACCINATION
        self.writer = csv.writer(handle)
        self.writer.writerow(self.extract.fields)
        self.written = 0

    def write(self, source: str, qid: str, values: dict[str, str]) -> str:
        if source != self.extract.source:
            return ""
        self.written += 1
        record_id = f"VAC{self.written:08d}"
        self.writer.writerow(
            [record_id if name == "record_id" else values[name] for name in self.extract.fields]
        )
        return record_id


def vaccination_extract_write(*, population: list[LegacyPerson], seed: int, rows: int, path: Path) -> int:
    """A vaccination extract of at least `rows` records, for the import benchmark: the population's doses
    drawn again and again (each pass draws new faults, phone forms, doses and duplicates) until there are
    enough. Returns the records written (a person's doses are never split, so up to a few more)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        sink = _VaccinationSink(handle)
        generator = LegacyGenerator(seed=seed, people=population, sinks=sink, counts=Counter())  # type: ignore[arg-type]
        while sink.written < rows:
            for person in population:
                if person.age >= 12:
                    generator.doses(person)
                if sink.written >= rows:
                    break
    return sink.written


@contextlib.contextmanager
def _bar(total: int, enabled: bool) -> Iterator[Callable[[], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not enabled) as bar:
        task = bar.add_task("people", total=total)
        yield lambda: bar.advance(task)
