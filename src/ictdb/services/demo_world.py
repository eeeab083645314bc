"""The fictional world behind the demo node: people and groups as they are, and how each agency writes them.

An ``Individual`` is a person before anyone records him: his name parts, birth, passport, the groups he joins.
``person_body`` then renders him as one agency would: Arabic script in Amman and Baghdad, Cyrillic in Moscow,
French, German or Turkish spellings elsewhere, with the birth date known to that agency's precision. The
same goes for ``Group`` and ``group_body``. Everything is drawn from one ``random.Random`` so the world is
the same for the same seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ictdb.model.dates import FuzzyDate
from ictdb.model.records import Address, IdentityDocument, Name, Organization, Person
from ictdb.model.vocab import (
    AssociationKind,
    DocumentType,
    Gender,
    MembershipRole,
    NameKind,
    OrganizationStatus,
    OrganizationType,
    PersonStatus,
)
from ictdb.services import demo_names as names
from ictdb.services.demo_names import ArabicPart, CaucasusPart, EuropeanPart, GroupName, Town

_NATIONALITIES = {
    "arab": (("IQ", 40), ("SY", 25), ("JO", 12), ("TN", 8), ("LY", 5), ("EG", 5), ("SA", 3), ("LB", 2)),
    "caucasus": (("RU", 85), ("GE", 10), ("AZ", 5)),
}


_SECOND_NATIONALITY = {"FR": ("DZ", "MA", "TN"), "DE": ("TR", "MA", "LB")}


_STATUS = (
    (PersonStatus.SUSPECT, 40),
    (PersonStatus.FTF, 30),
    (PersonStatus.DETAINED, 12),
    (PersonStatus.DECEASED, 8),
    (PersonStatus.DESIGNATED, 10),
)


@dataclass(slots=True)
class Individual:
    """A fictional individual as the world knows him, before any agency writes him down."""

    index: int
    origin: str  # arab, caucasus, european
    gender: Gender
    born: date
    town: Town
    nationalities: list[str]
    passport: str
    arab: tuple[ArabicPart, ArabicPart, ArabicPart] | None = None
    caucasus: tuple[CaucasusPart, tuple[str, str], CaucasusPart] | None = None
    european: tuple[EuropeanPart, EuropeanPart] | None = None
    kunya: tuple[ArabicPart, ArabicPart, ArabicPart] | None = None  # (abu/umm, son's name, nisba)
    status: PersonStatus = PersonStatus.SUSPECT
    groups: list[tuple[int, MembershipRole, int]] = field(default_factory=list)  # (group, role, since year)


def passport(rng: random.Random, country: str) -> str:
    digits = "0123456789"
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"

    def run(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    formats: dict[str, Callable[[], str]] = {
        "IQ": lambda: rng.choice("AB") + run(digits, 8),
        "SY": lambda: "N" + run(digits, 9),
        "JO": lambda: rng.choice("NPR") + run(digits, 6),
        "RU": lambda: run(digits, 2) + " " + run(digits, 7),
        "FR": lambda: run(digits, 2) + run(letters, 2) + run(digits, 5),
        "DE": lambda: "C" + run(letters + digits, 8),
        "TR": lambda: "U" + run(digits, 8),
    }
    make = formats.get(country)
    return make() if make else run(letters, 2) + run(digits, 7)


def birth(rng: random.Random) -> date:
    return date(rng.randint(1966, 2003), 1, 1) + timedelta(days=rng.randrange(365))


def pick_weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _kunya(
    rng: random.Random, gender: Gender, nisbas: tuple[ArabicPart, ...]
) -> tuple[ArabicPart, ArabicPart, ArabicPart]:
    while True:
        son = rng.choice(names.ARABIC_GIVEN_MALE)
        nisba = rng.choice(nisbas)
        if (son.ar, nisba.ar) in names.AVOID_KUNYAS:
            continue
        return (names.UMM if gender is Gender.FEMALE else names.ABU, son, nisba)


def make_person(rng: random.Random, index: int, origin: str) -> Individual:
    gender = Gender.FEMALE if rng.random() < 0.1 else Gender.MALE
    status = rng.choices([s for s, _ in _STATUS], weights=[w for _, w in _STATUS])[0]
    if origin == "european":
        country = rng.choice(("FR", "DE"))
        nationalities = [country]
        if rng.random() < 0.3:
            nationalities.append(rng.choice(_SECOND_NATIONALITY[country]))
        person = Individual(
            index, origin, Gender.MALE, birth(rng), rng.choice(names.towns_in(country)), nationalities, ""
        )
        person.european = (rng.choice(names.EUROPEAN_GIVEN[country]), rng.choice(names.EUROPEAN_FAMILY[country]))
        person.kunya = _kunya(rng, Gender.MALE, (names.KUNYA_EUROPE[country],))
    elif origin == "caucasus":
        country = pick_weighted(rng, _NATIONALITIES["caucasus"])
        town_country = "GE" if country == "GE" else "RU"
        c_pool = names.CAUCASUS_GIVEN_FEMALE if gender is Gender.FEMALE else names.CAUCASUS_GIVEN_MALE
        person = Individual(index, origin, gender, birth(rng), rng.choice(names.towns_in(town_country)), [country], "")
        person.caucasus = (
            rng.choice(c_pool),
            rng.choice(names.CAUCASUS_PATRONYMICS),
            rng.choice(names.CAUCASUS_FAMILY),
        )
        if rng.random() < 0.7:
            person.kunya = _kunya(rng, gender, names.KUNYA_CAUCASUS)
    else:
        country = pick_weighted(rng, _NATIONALITIES["arab"])
        towns = names.towns_in(country) or names.towns_in("SY")
        given_pool = names.ARABIC_GIVEN_FEMALE if gender is Gender.FEMALE else names.ARABIC_GIVEN_MALE
        person = Individual(index, origin, gender, birth(rng), rng.choice(towns), [country], "")
        father = rng.choice(names.ARABIC_GIVEN_MALE)
        given = rng.choice(given_pool)
        while given is father:
            given = rng.choice(given_pool)
        person.arab = (given, father, rng.choice(names.ARABIC_FAMILY))
        if rng.random() < 0.75:
            person.kunya = _kunya(rng, gender, names.NISBAS)
    person.passport = passport(rng, person.nationalities[0])
    person.status = status
    return person


def _latin(part: ArabicPart, style: str, variant: int) -> str:
    if style == "fr":
        return part.fr
    if style == "tr":
        return part.tr
    return part.en[variant % len(part.en)]


def kunya_in(kunya: tuple[ArabicPart, ArabicPart, ArabicPart], style: str, variant: int, *, nisba: bool = True) -> str:
    parts = kunya if nisba else kunya[:2]
    if style == "ar":
        return " ".join(p.ar for p in parts)
    if style == "ru":
        return " ".join(p.ru for p in parts)
    return " ".join(_latin(p, style, variant) for p in parts)


def tagged_name(value: str, kind: NameKind, lang: str) -> Name:
    return Name(value=value, kind=kind, lang=lang)


def _person_names(rng: random.Random, p: Individual, style: str, *, kunya_only: bool) -> list[Name]:
    variant = rng.randrange(3)
    out: list[Name] = []
    if p.arab:
        given, father, family = p.arab
        if style == "ar":
            full = f"{given.ar} {father.ar} {family.ar}"
        elif style == "ru":
            full = f"{given.ru} {father.ru} {family.ru}"
        else:
            full = " ".join(_latin(x, style, variant) for x in (given, father, family))
        out.append(tagged_name(full, NameKind.PRIMARY, style))
        if style == "ar" and rng.random() < 0.6:  # the spelling in his passport
            latin = " ".join(_latin(x, "en", rng.randrange(3)) for x in (given, father, family))
            out.append(tagged_name(latin, NameKind.ALIAS, "en"))
        elif style not in ("ar", "ru") and rng.random() < 0.35:
            out.append(tagged_name(f"{given.ar} {father.ar} {family.ar}", NameKind.ORIGINAL_SCRIPT, "ar"))
    elif p.caucasus:
        c_given, (patronymic, patronymic_en), c_family = p.caucasus
        female = p.gender is Gender.FEMALE
        if female:
            patronymic = patronymic.replace("ович", "овна").replace("евич", "евна")
            patronymic_en = patronymic_en.replace("ovich", "ovna").replace("evich", "evna")
        if style == "ru":
            out.append(
                tagged_name(f"{c_family.ru}{'а' if female else ''} {c_given.ru} {patronymic}", NameKind.PRIMARY, "ru")
            )
        elif style == "ar":
            out.append(tagged_name(f"{c_given.ar} {c_family.ar}{'ا' if female else ''}", NameKind.PRIMARY, "ar"))
        else:
            spelled = {"fr": (c_given.fr, c_family.fr), "de": (c_given.de, c_family.de)}.get(
                style, (c_given.en, c_family.en)
            )
            suffix = "a" if female else ""
            out.append(tagged_name(f"{spelled[0]} {spelled[1]}{suffix}", NameKind.PRIMARY, style))
            if rng.random() < 0.3:
                out.append(tagged_name(f"{c_given.en} {patronymic_en} {c_family.en}{suffix}", NameKind.ALIAS, "en"))
            if rng.random() < 0.3:
                female_ru = "а" if female else ""
                out.append(
                    tagged_name(f"{c_given.ru} {patronymic} {c_family.ru}{female_ru}", NameKind.ORIGINAL_SCRIPT, "ru")
                )
    elif p.european:
        given_e, family_e = p.european
        if style == "ar":
            out.append(tagged_name(f"{given_e.ar} {family_e.ar}", NameKind.PRIMARY, "ar"))
        elif style == "ru":
            out.append(tagged_name(f"{given_e.ru} {family_e.ru}", NameKind.PRIMARY, "ru"))
        else:
            out.append(tagged_name(f"{given_e.latin} {family_e.latin}", NameKind.PRIMARY, style))
            if p.kunya and rng.random() < 0.3:
                # A convert who took a Muslim given name: the birth name becomes a former name.
                new_given = _latin(p.kunya[1], style, variant)
                out[0] = tagged_name(f"{new_given} {family_e.latin}", NameKind.PRIMARY, style)
                out.append(tagged_name(f"{given_e.latin} {family_e.latin}", NameKind.FORMER, style))
    if p.kunya:
        kunya = tagged_name(kunya_in(p.kunya, style, variant), NameKind.ALIAS, style)
        if kunya_only:
            return [tagged_name(kunya.value, NameKind.PRIMARY, style)]
        out.append(kunya)
        if rng.random() < 0.25:
            out.append(tagged_name(kunya_in(p.kunya, style, variant, nisba=False), NameKind.WEAK_ALIAS, style))
    return out


def _birth_date(rng: random.Random, born: date) -> FuzzyDate:
    roll = rng.random()
    if roll < 0.5:
        if rng.random() < 0.08 and born.day <= 12 and born.day != born.month:
            # Day and month swapped by a clerk: agencies disagree on the exact date.
            return FuzzyDate.parse(date(born.year, born.day, born.month))
        return FuzzyDate.parse(born)
    if roll < 0.7:
        return FuzzyDate.parse(str(born.year))
    if roll < 0.85:
        return FuzzyDate.parse(f"{born.year}~")
    if roll < 0.95:
        return FuzzyDate.parse(f"{born.year - rng.randint(0, 2)}/{born.year + rng.randint(1, 2)}")
    return FuzzyDate.parse(f"{born.year}-{born.month:02d}")


def town_in(town: Town, style: str) -> str:
    if style == "ar":
        return town.ar
    if style == "ru":
        return town.ru
    if style == "tr" and town.tr:
        return town.tr
    return town.en


def person_body(rng: random.Random, p: Individual, style: str, *, primary: bool) -> Person:
    kunya_only = not primary and p.kunya is not None and rng.random() < 0.2
    documents: list[IdentityDocument] = []
    if primary or rng.random() < 0.4:
        issued = date(min(p.born.year + 18 + rng.randint(0, 20), 2024), rng.randint(1, 12), rng.randint(1, 28))
        documents.append(
            IdentityDocument(
                type=DocumentType.PASSPORT,
                number=p.passport,
                country=p.nationalities[0],
                issued_on=FuzzyDate.parse(issued),
                expires_on=FuzzyDate.parse(issued.replace(year=issued.year + 10)),
            )
        )
    if primary and rng.random() < 0.25:
        documents.append(
            IdentityDocument(
                type=DocumentType.NATIONAL_ID,
                number="".join(rng.choice("0123456789") for _ in range(11)),
                country=p.nationalities[0],
            )
        )
    known_birth = primary or rng.random() < 0.7
    return Person(
        names=_person_names(rng, p, style, kunya_only=kunya_only),
        birth_dates=[_birth_date(rng, p.born)] if known_birth else [],
        birth_places=[town_in(p.town, style)] if known_birth and rng.random() < 0.7 else [],
        nationalities=list(p.nationalities) if primary else p.nationalities[:1],
        gender=p.gender,
        documents=documents,
        addresses=[Address(city=town_in(p.town, style), country=p.town.country)] if rng.random() < 0.3 else [],
        status=[p.status],
    )


@dataclass(slots=True)
class Group:
    index: int
    name: GroupName
    native: str  # ar or ru
    org_type: OrganizationType
    areas: list[str]
    founded: int
    status: OrganizationStatus
    ideology: str | None


def make_groups(rng: random.Random) -> list[Group]:
    groups: list[Group] = []
    mottos = list(names.GROUP_MOTTOS)
    rng.shuffle(mottos)
    # Two mottos carry two unit words each, so that one group can be renamed into the other.
    units = list(names.GROUP_UNITS)
    for i, motto in enumerate(mottos):
        for unit in rng.sample(units, 2 if i < 2 else 1):
            name = GroupName(
                f"{unit.ar} {motto.ar}", f"{unit.en} {motto.en}", f"{unit.fr} {motto.fr}", f"{unit.ru} {motto.ru}"
            )
            areas = sorted(rng.sample(("IQ", "SY", "JO", "TR", "LB"), rng.randint(1, 2)))
            groups.append(
                Group(len(groups), name, "ar", OrganizationType.TERRORIST_GROUP, areas, rng.randint(2003, 2018),
                       rng.choice((OrganizationStatus.ACTIVE, OrganizationStatus.ACTIVE, OrganizationStatus.DESIGNATED)),
                       "salafi-jihadist")
            )  # fmt: skip
    for group in names.CAUCASUS_GROUPS:
        groups.append(
            Group(len(groups), group, "ru", OrganizationType.TERRORIST_GROUP, ["RU"], rng.randint(2007, 2016),
                   OrganizationStatus.ACTIVE, "salafi-jihadist")
        )  # fmt: skip
    for group, kind in names.FRONT_GROUPS:
        groups.append(
            Group(len(groups), group, "ar", OrganizationType(kind), sorted(rng.sample(("TR", "DE", "FR", "JO", "LB"), 2)),
                   rng.randint(2008, 2019), OrganizationStatus.ACTIVE, None)
        )  # fmt: skip
    return groups


def group_body(g: Group, style: str) -> Organization:
    n = g.name
    if style == "ar":
        names_ = [tagged_name(n.ar, NameKind.PRIMARY, "ar"), tagged_name(n.en, NameKind.ALIAS, "en")]
    elif style == "ru":
        names_ = [tagged_name(n.ru, NameKind.PRIMARY, "ru")]
    elif style == "fr":
        names_ = [tagged_name(n.fr, NameKind.PRIMARY, "fr"), tagged_name(n.en, NameKind.ALIAS, "en")]
    else:
        names_ = [tagged_name(n.en, NameKind.PRIMARY, "en")]
    if style not in ("ar", "ru"):
        names_.append(tagged_name(n.ru if g.native == "ru" else n.ar, NameKind.ORIGINAL_SCRIPT, g.native))
    return Organization(
        names=names_,
        org_type=g.org_type,
        areas=g.areas,
        founded=FuzzyDate.parse(str(g.founded)),
        ideology=g.ideology,
        status=g.status,
    )


def assign_memberships(rng: random.Random, people: list[Individual], groups: list[Group]) -> None:
    by_kind = {
        "arab": [g for g in groups if g.native == "ar" and g.org_type is OrganizationType.TERRORIST_GROUP],
        "caucasus": [g for g in groups if g.native == "ru"],
        "front": [g for g in groups if g.org_type is not OrganizationType.TERRORIST_GROUP],
    }
    roles = list(MembershipRole)
    for p in people[1:]:
        pool = by_kind["caucasus"] if p.origin == "caucasus" and rng.random() < 0.75 else by_kind["arab"]
        for group in rng.sample(pool, rng.choice((1, 1, 1, 2))):
            role = rng.choices(roles, weights=(3, 8, 60, 10, 10, 9))[0]
            p.groups.append((group.index, role, max(group.founded, p.born.year + 17) + rng.randint(0, 4)))
        if rng.random() < 0.08:
            front = rng.choice(by_kind["front"])
            p.groups.append((front.index, MembershipRole.FINANCIER, max(front.founded, p.born.year + 20)))


def story_person() -> Individual:
    given = next(x for x in names.ARABIC_GIVEN_MALE if x.ar == "عمار")
    father = next(x for x in names.ARABIC_GIVEN_MALE if x.ar == "خليل")
    family = next(x for x in names.ARABIC_FAMILY if x.ar == "الحديثي")
    son = next(x for x in names.ARABIC_GIVEN_MALE if x.ar == "سفيان")
    nisba = next(x for x in names.NISBAS if x.ar == "الأنباري")
    town = next(t for t in names.TOWNS if t.en == "Haditha")
    return Individual(
        0, "arab", Gender.MALE, date(1991, 3, 14), town, ["IQ"], "A18273645",
        arab=(given, father, family), kunya=(names.ABU, son, nisba), status=PersonStatus.FTF,
    )  # fmt: skip


def make_brothers(rng: random.Random, people: list[Individual]) -> list[tuple[Individual, Individual, AssociationKind]]:
    """Pairs of brothers: the second takes the first's father and family name, before anyone records them."""
    arabs = [p for p in people if p.arab]
    pairs = []
    for _ in range(12):
        a, c = rng.sample(arabs, 2)
        if a.arab and c.arab:
            c.arab = (c.arab[0], a.arab[1], a.arab[2])
        pairs.append((a, c, AssociationKind.FAMILY))
    return pairs
