"""A synthetic city: households and people, deterministic for a seed, with identifiers right by construction.

Nothing here touches the database: `CityGenerator.commune` returns plain data that `demo.services` writes.
Names and streets come from Faker's vi_VN provider lists, drawn with our own seeded `random.Random`
(calling Faker once per person would dominate the run time at a million people). Every CCCD agrees with
its holder's sex and birth year (Circular 07/2016/TT-BCA, see `identity.rules`); the population register
import re-validates every identifier when the demo extract is loaded.
"""

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, replace

from faker.providers.address.vi_VN import Provider as AddressProvider
from faker.providers.person.vi_VN import Provider as PersonProvider

from pccovid.identity import rules as identity_rules

# Ages are computed on this day: the demo is set in autumn 2021, and a fixed day keeps a seed's output
# the same whenever it runs.
REFERENCE_DATE = dt.date(2021, 10, 1)

# Share of the population per five-year age group 0-4, 5-9, ..., 75-79, 80+ (per cent, rounded),
# approximately as in the 2019 Population and Housing Census (General Statistics Office of Viet Nam).
AGE_PYRAMID = (8.0, 8.4, 7.3, 6.8, 7.0, 8.0, 8.4, 7.7, 7.2, 6.7, 6.0, 5.3, 4.3, 3.1, 1.9, 1.2, 1.9)
OLDEST_AGE = 100

# Household size 1..6 (weights); mean 3.28, close to the 3.3 people per household of Ho Chi Minh City (2019).
HOUSEHOLD_SIZE_WEIGHTS = {1: 12, 2: 20, 3: 24, 4: 24, 5: 12, 6: 8}

# Surname weights: roughly the national shares usually quoted (Nguyễn about 38 %); Faker's other surnames
# get weight 1.
SURNAME_WEIGHTS = {"Nguyễn": 38, "Trần": 12, "Lê": 9.5, "Phạm": 7, "Hoàng": 5, "Vũ": 4, "Đặng": 2, "Bùi": 2}
MALE_ONLY_MIDDLE_NAMES = frozenset({"Văn", "Đức", "Thế", "Tấn", "Hữu", "Phú", "Trí", "Quang"})
FEMALE_ONLY_MIDDLE_NAMES = frozenset({"Thị", "Mai", "Mai Bảo"})

# Mobile prefixes of the five networks in 2021 (after the 2018 renumbering), without the leading 0.
# Faker's vi_VN phone formats also produce landlines and unassigned ranges, so numbers are built here.
MOBILE_PREFIXES_BY_NETWORK = {
    "Viettel": ("32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98"),
    "Vinaphone": ("81", "82", "83", "84", "85", "88", "91", "94"),
    "MobiFone": ("70", "76", "77", "78", "79", "89", "90", "93"),
    "Vietnamobile": ("56", "58", "92"),
    "Gmobile": ("59", "99"),
}
MOBILE_PREFIXES = tuple(prefix for prefixes in MOBILE_PREFIXES_BY_NETWORK.values() for prefix in prefixes)
DEMO_CITIZEN_PHONE = "+84901234567"

HCMC_CCCD_CODE = "079"
BORN_ELSEWHERE_ADULT = 0.35  # migrants from other provinces among adult residents
BORN_ELSEWHERE_CHILD = 0.08
CMND_SHARE_BEFORE_1990 = 0.20  # adults born before 1990 who still hold the old 9-digit card
HCMC_CMND_PREFIX = "02"  # the first digits of CMND numbers issued by Ho Chi Minh City police
PEOPLE_PER_GROUP = 1_000  # one residential group (khu phố / ấp) per this many residents
ADULT_AGE = 18
PHONE_MIN_AGE = 14  # younger children have no phone; 14-17 share a parent's phone or have none


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole shares of `total` in proportion to `weights`, summing exactly to `total` (largest remainder).
    All-zero weights (a commune that drew no residents) share equally."""
    if not any(weights):
        weights = [1.0] * len(weights)
    quotas = [total * weight / sum(weights) for weight in weights]
    shares = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - quotas[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass(frozen=True)
class CommuneSpec:
    code: str
    name: str
    population: int | None = None  # the commune's (official or synthetic) figure: weights the allocation

    @property
    def group_word(self) -> str:
        """A ward is divided into "khu phố", a rural commune into "ấp", the special zone into "khu dân cư"."""
        for prefix, word in (("Phường", "Khu phố"), ("Đặc khu", "Khu dân cư")):
            if self.name.startswith(prefix):
                return word
        return "Ấp"


@dataclass(frozen=True, slots=True)
class PersonSpec:
    full_name: str
    birth_date: dt.date
    sex: str
    relation: str
    national_id: str
    old_cmnd: str
    phone: str  # E.164, or "" for none
    owns_phone: bool  # False when the phone is a parent's

    def age(self, on: dt.date = REFERENCE_DATE) -> int:
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )


@dataclass(frozen=True)
class HouseholdSpec:
    code: str
    group: int  # 1-based number of the residential group inside the commune
    address_line: str
    members: tuple[PersonSpec, ...]


@dataclass(frozen=True)
class CommunePopulation:
    commune: CommuneSpec
    groups: int
    households: tuple[HouseholdSpec, ...]
    citizen: PersonSpec | None  # the demo citizen, when this is their commune

    def group_code(self, number: int) -> str:
        return f"{self.commune.code}.{number:03d}"

    def group_name(self, number: int) -> str:
        return f"{self.commune.group_word} {number}"


class _AgeSampler:
    """Draws whole ages from the pyramid, optionally restricted to [low, high]."""

    def __init__(self, shares: tuple[float, ...], oldest: int):
        weights = [share / 5 for share in shares[:-1] for _year in range(5)]
        tail = oldest + 1 - len(weights)  # the open last group thins out linearly to `oldest`
        weights += [shares[-1] * 2 * (tail - k) / (tail * (tail + 1)) for k in range(tail)]
        self._cumulative = list(itertools.accumulate(weights))
        self.oldest = oldest

    def draw(self, rng: random.Random, low: int = 0, high: int | None = None) -> int:
        high = self.oldest if high is None else min(high, self.oldest)
        start = self._cumulative[low - 1] if low else 0.0
        return min(high, bisect.bisect_right(self._cumulative, rng.uniform(start, self._cumulative[high])))


class _Names:
    """Name pools from Faker's vi_VN lists, in Vietnamese order: family name, middle name, given name."""

    def __init__(self) -> None:
        self.surnames = tuple(dict.fromkeys(PersonProvider.last_names))
        self.surname_weights = list(itertools.accumulate(SURNAME_WEIGHTS.get(s, 1) for s in self.surnames))
        middle = tuple(dict.fromkeys(PersonProvider.middle_names))
        unisex = PersonProvider.first_names_unisex
        self.middle = {
            "M": tuple(m for m in middle if m not in FEMALE_ONLY_MIDDLE_NAMES),
            "F": tuple(m for m in middle if m not in MALE_ONLY_MIDDLE_NAMES),
        }
        self.given = {
            "M": tuple(dict.fromkeys(PersonProvider.first_names_male + unisex)),
            "F": tuple(dict.fromkeys(PersonProvider.first_names_female + unisex)),
        }

    def surname(self, rng: random.Random) -> str:
        return rng.choices(self.surnames, cum_weights=self.surname_weights)[0]

    def full(self, rng: random.Random, surname: str, sex: str) -> str:
        return f"{surname} {rng.choice(self.middle[sex])} {rng.choice(self.given[sex])}"


class CityGenerator:
    """Generates communes one after another; identifiers stay unique across the whole city."""

    def __init__(self, *, seed: int, citizen_commune: str):
        self.rng = random.Random(seed)
        self.citizen_commune = citizen_commune
        self._ages = _AgeSampler(AGE_PYRAMID, OLDEST_AGE)
        self._names = _Names()
        self._sizes = tuple(HOUSEHOLD_SIZE_WEIGHTS)
        self._size_weights = list(itertools.accumulate(HOUSEHOLD_SIZE_WEIGHTS.values()))
        self._other_provinces = tuple(sorted(identity_rules.CCCD_PROVINCE_CODES - {HCMC_CCCD_CODE}))
        self._century_sex_digit = {value: digit for digit, value in identity_rules.CCCD_CENTURY_SEX.items()}
        self._used: set[str] = {DEMO_CITIZEN_PHONE}

    @staticmethod
    def allocate(communes: list[CommuneSpec], people: int) -> list[int]:
        """Split `people` over the communes in proportion to their population figures (equally without)."""
        return apportion(people, [commune.population or 1 for commune in communes])

    def commune(self, commune: CommuneSpec, people: int) -> CommunePopulation:
        members: list[list[PersonSpec]] = []
        while people > 0:
            size = min(people, self.rng.choices(self._sizes, cum_weights=self._size_weights)[0])
            members.append(self._household(size))
            people -= size
        groups = max(1, min(999, round(sum(map(len, members)) / PEOPLE_PER_GROUP)))
        citizen = None
        if commune.code == self.citizen_commune:
            citizen = self._make_demo_citizen(members)
        households = tuple(
            self._address(commune, group, number, household)
            for group, number, household in self._numbered(members, groups)
        )
        return CommunePopulation(commune=commune, groups=groups, households=households, citizen=citizen)

    @staticmethod
    def _numbered(members: list[list[PersonSpec]], groups: int):
        """(group, number inside the group, members): households fill the groups in order."""
        counters = [0] * (groups + 1)
        for i, household in enumerate(members):
            group = i * groups // len(members) + 1
            counters[group] += 1
            yield group, counters[group], household

    def _address(
        self, commune: CommuneSpec, group: int, number: int, members: list[PersonSpec]
    ) -> HouseholdSpec:
        rng = self.rng
        house = str(rng.randint(1, 450))
        if rng.random() < 0.4:  # a house down an alley ("hẻm"): 125/7
            house += f"/{rng.randint(1, 60)}"
        street = rng.choice(AddressProvider.streets)
        address = (
            f"{'Số ' if rng.random() < 0.5 else ''}{house} {'Đường ' if rng.random() < 0.5 else ''}{street}"
        )
        return HouseholdSpec(
            code=f"{commune.code}.{group:03d}.{number:05d}",
            group=group,
            address_line=address,
            members=tuple(members),
        )

    def _household(self, size: int) -> list[PersonSpec]:
        """A head, usually a spouse, children, sometimes an elderly parent of the head."""
        rng = self.rng
        head_age = self._ages.draw(rng, 20 if size > 1 else ADULT_AGE, 90)
        head_sex = "M" if rng.random() < 0.6 else "F"
        head_surname = self._names.surname(rng)
        head = self._person("head", head_sex, head_age, head_surname)
        members = [head]
        father_surname = head_surname if head_sex == "M" else None
        if size >= 2 and rng.random() < 0.8:
            spouse_sex = "F" if head_sex == "M" else "M"
            spouse_age = max(ADULT_AGE, head_age + rng.randint(-6, 2) * (1 if head_sex == "M" else -1))
            spouse_surname = self._names.surname(rng)  # Vietnamese spouses keep their own family name
            members.append(self._person("spouse", spouse_sex, min(spouse_age, OLDEST_AGE), spouse_surname))
            father_surname = father_surname or spouse_surname
        if len(members) < size and head_age <= 60 and rng.random() < 0.3:
            parent_sex = "M" if rng.random() < 0.4 else "F"
            parent_age = self._ages.draw(rng, head_age + 20, head_age + 40)
            parent_surname = head_surname if parent_sex == "M" else self._names.surname(rng)
            members.append(self._person("parent", parent_sex, parent_age, parent_surname))
        while len(members) < size:
            sex = "M" if rng.random() < 0.512 else "F"
            age = self._ages.draw(rng, max(0, head_age - 45), head_age - ADULT_AGE)
            child = self._person("child", sex, age, father_surname or head_surname)
            members.append(self._child_phone(child, head))
        return members

    def _person(self, relation: str, sex: str, age: int, surname: str) -> PersonSpec:
        rng = self.rng
        born_year_end = dt.date(
            REFERENCE_DATE.year - age, REFERENCE_DATE.month, REFERENCE_DATE.day
        ).toordinal()
        birth_date = dt.date.fromordinal(born_year_end - rng.randrange(365))
        adult = age >= ADULT_AGE
        elsewhere = BORN_ELSEWHERE_ADULT if adult else BORN_ELSEWHERE_CHILD
        province = rng.choice(self._other_provinces) if rng.random() < elsewhere else HCMC_CCCD_CODE
        holds_cmnd = adult and birth_date.year < 1990 and rng.random() < CMND_SHARE_BEFORE_1990
        return PersonSpec(
            full_name=self._names.full(rng, surname, sex),
            birth_date=birth_date,
            sex=sex,
            relation=relation,
            national_id=self._cccd(province, sex, birth_date.year),
            old_cmnd=self._cmnd() if holds_cmnd else "",
            phone=self._phone() if adult else "",
            owns_phone=adult,
        )

    def _child_phone(self, child: PersonSpec, head: PersonSpec) -> PersonSpec:
        if child.owns_phone or child.age() < PHONE_MIN_AGE or self.rng.random() < 0.5:
            return child
        return replace(child, phone=head.phone)

    def _make_demo_citizen(self, households: list[list[PersonSpec]]) -> PersonSpec | None:
        """Give the demo phone number to the first adult of 25-60 whose phone nobody else uses."""
        for members in households:
            for index, person in enumerate(members):
                shared = sum(1 for other in members if other.phone == person.phone) > 1
                if person.owns_phone and not shared and 25 <= person.age() <= 60:
                    members[index] = replace(person, phone=DEMO_CITIZEN_PHONE)
                    return members[index]
        return None

    def _cccd(self, province: str, sex: str, year: int) -> str:
        digit = self._century_sex_digit[(year // 100 * 100, sex)]
        return self._unique(lambda: f"{province}{digit}{year % 100:02d}{self.rng.randrange(10**6):06d}")

    def _cmnd(self) -> str:
        return self._unique(lambda: f"{HCMC_CMND_PREFIX}{self.rng.randrange(10**7):07d}")

    def _phone(self) -> str:
        return self._unique(lambda: f"+84{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}")

    def _unique(self, draw) -> str:
        """Draw until the value is new in this city (CCCD, CMND and phone numbers never collide by length)."""
        value = draw()
        while value in self._used:
            value = draw()
        self._used.add(value)
        return value
