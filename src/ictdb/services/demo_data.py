"""The demo node as data: agencies, users, sharing groups and a few hundred fictional records, built from a seed.

Every person, group, event and document here is invented. Real agency names are used only so that the demo
reads like the setting it is meant for; nothing here describes what any real agency holds.

``build_demo(seed)`` is pure: it touches no database and returns the same ``DemoNode`` for the same seed.
A loader turns it into a node:

1. create the agencies (``home_agency`` is the node's own), the users with their passwords, then the groups;
2. import ``items[agency]`` as that agency, every agency's Person and Organization items first (they
   reference nothing), then every agency's other items;
3. resolve references. A relationship body names the records it links by *key*. A bare key (``"P0012"``)
   is an item of the same agency's list; a key prefixed with an agency code and a slash
   (``"FR-DGSI/P0012"``) is that agency's item. Such cross-agency references only ever name Person and
   Organization items, so the two-pass order above always finds them, and only ever name records the
   referring agency is allowed to see. ``split_reference`` parses both forms.

The records carry every distribution kind, handling code and hit policy. A few have a review date already
past, so the review queue has work in it. ``story`` and ``manifest_csv`` script the cooperation demo: one
agency holds a foreign fighter it shares with nobody (``hit-no-hit``); another screens a flight manifest
on which he travels under a different spelling.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ictdb.model.actors import Agency, SharingGroup, User
from ictdb.model.bundle import ImportItem
from ictdb.model.dates import FuzzyDate, Precision
from ictdb.model.envelope import Distribution, DistributionKind, EnvelopeDefaults, EnvelopeInput
from ictdb.model.records import (
    Address,
    Association,
    Body,
    Designation,
    GroupRelation,
    IdentityDocument,
    Incident,
    Membership,
    Movement,
    Name,
    Organization,
    Person,
    Place,
    Plot,
    Report,
)
from ictdb.model.vocab import (
    AssociationKind,
    AttackType,
    DocumentType,
    Gender,
    GroupRelationKind,
    HandlingCode,
    HitPolicy,
    MembershipRole,
    MovementEvidence,
    NameKind,
    OrganizationStatus,
    OrganizationType,
    PersonStatus,
    PlotStatus,
    Purpose,
    Role,
    Script,
    ThreatLevel,
    TravelMode,
    WeaponType,
)
from ictdb.services import demo_names as names
from ictdb.services import demo_texts as texts
from ictdb.services.demo_names import ArabicPart, CaucasusPart, EuropeanPart, GroupName, Town

ENTITY_SCHEMAS = frozenset({"Person", "Organization"})
# Review dates before this day are "already past" in the demo whatever day it is loaded.
PAST_DUE_BEFORE = date(2026, 7, 1)


@dataclass(frozen=True, slots=True)
class Story:
    """The scripted cooperation case: who holds the fighter, who screens the manifest, and on which flight."""

    owner: str
    screener: str
    person_key: str
    flight: str
    manifest_row: str
    visible_passenger: str


@dataclass(frozen=True, slots=True)
class DemoNode:
    agencies: list[Agency]
    users: list[User]
    passwords: dict[str, str]
    groups: list[SharingGroup]
    home_agency: str
    items: dict[str, list[ImportItem]]
    manifest_csv: str
    story: Story

    def counts(self) -> dict[str, int]:
        """Records per type over all agencies, for a summary line."""
        tally: Counter[str] = Counter()
        for agency_items in self.items.values():
            tally.update(item.body.schema_name for item in agency_items)
        return dict(sorted(tally.items()))

    def entity_items(self, agency: str) -> list[ImportItem]:
        """The agency's Person and Organization items: the first import pass."""
        return [i for i in self.items[agency] if i.body.schema_name in ENTITY_SCHEMAS]

    def relation_items(self, agency: str) -> list[ImportItem]:
        """The agency's other items, which reference entities: the second import pass."""
        return [i for i in self.items[agency] if i.body.schema_name not in ENTITY_SCHEMAS]

    def resolve(self, agency: str, reference: str) -> ImportItem:
        """The item a reference in one of ``agency``'s bodies names; KeyError when there is none."""
        owner, key = split_reference(reference)
        for item in self.items[owner or agency]:
            if item.key == key:
                return item
        raise KeyError(reference)


def split_reference(reference: str) -> tuple[str | None, str]:
    """``"FR-DGSI/P0012"`` -> ``("FR-DGSI", "P0012")``; a bare key -> ``(None, key)``."""
    owner, slash, key = reference.partition("/")
    return (owner, key) if slash else (None, reference)


# --- agencies, users, groups ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AgencySpec:
    code: str
    name: str
    country: str
    style: str  # how its analysts write names: ar, ru, fr, de, tr
    language: str  # the language of its reports
    defaults: EnvelopeDefaults = field(default_factory=EnvelopeDefaults)


_AGENCIES: tuple[_AgencySpec, ...] = (
    _AgencySpec("JO-GID", "General Intelligence Directorate (Jordan)", "JO", "ar", "ar"),
    _AgencySpec("IQ-CTS", "Counter-Terrorism Service (Iraq)", "IQ", "ar", "ar"),
    _AgencySpec(
        "RU-FSB",
        "Federal Security Service (Russia)",
        "RU",
        "ru",
        "ru",
        EnvelopeDefaults(hit_policy=HitPolicy.HIT_NO_HIT, grading="C3"),
    ),
    _AgencySpec("FR-DGSI", "General Directorate for Internal Security (France)", "FR", "fr", "fr"),
    _AgencySpec(
        "DE-BKA",
        "Federal Criminal Police Office (Germany)",
        "DE",
        "de",
        "en",
        EnvelopeDefaults(handling=HandlingCode.H1, purpose=Purpose.INVESTIGATION),
    ),
    _AgencySpec(
        "TR-EGM",
        "General Directorate of Security (Türkiye)",
        "TR",
        "tr",
        "en",
        EnvelopeDefaults(purpose=Purpose.BORDER_SECURITY),
    ),
)
_SPEC = {spec.code: spec for spec in _AGENCIES}
HOME_AGENCY = "JO-GID"
NODE_ADMIN = "node.admin"

_GROUPS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("levant-taskforce", "JO-GID", ("JO-GID", "IQ-CTS", "TR-EGM", "FR-DGSI"), "Foreign fighters in Iraq and Syria"),
    ("caucasus-network", "RU-FSB", ("RU-FSB", "TR-EGM", "DE-BKA"), "North Caucasus networks and their travel"),
    ("eu-returnees", "FR-DGSI", ("FR-DGSI", "DE-BKA"), "European returnees from the conflict zone"),
)


def _users(rng: random.Random) -> tuple[list[User], dict[str, str]]:
    users: list[User] = []
    passwords: dict[str, str] = {}
    for spec in _AGENCIES:
        suffix = spec.country.lower()
        for role in (Role.ANALYST, Role.SUPERVISOR, Role.ADMIN):
            username = f"{role.value}.{suffix}"
            users.append(
                User(
                    username=username,
                    agency=spec.code,
                    roles=frozenset({role}),
                    full_name=f"Demo {role.value}, {spec.code}",
                )
            )
    users.append(
        User(
            username=NODE_ADMIN,
            agency=HOME_AGENCY,
            roles=frozenset({Role.NODE_ADMIN}),
            full_name="Demo node administrator",
        )
    )
    for user in users:
        first, second = rng.sample(texts.PASSWORD_WORDS, 2)
        passwords[user.username] = f"{first}-{second}-{rng.randrange(1000, 10000)}"
    return users, passwords


# --- envelopes ----------------------------------------------------------------------------------------------

_PURPOSES: dict[str, tuple[Purpose, ...]] = {
    "Person": (Purpose.PREVENTION, Purpose.INVESTIGATION, Purpose.THREAT_ANALYSIS, Purpose.IDENTIFICATION),
    "Organization": (Purpose.THREAT_ANALYSIS, Purpose.PREVENTION),
    "Movement": (Purpose.BORDER_SECURITY, Purpose.PREVENTION),
    "Designation": (Purpose.SANCTIONS,),
    "Incident": (Purpose.INVESTIGATION, Purpose.THREAT_ANALYSIS),
    "Plot": (Purpose.PREVENTION, Purpose.INVESTIGATION),
}


@dataclass(slots=True)
class _Envelopes:
    rng: random.Random
    groups: list[SharingGroup]

    def make(self, owner: str, schema: str, *, past_due: bool | None = None) -> EnvelopeInput:
        rng = self.rng
        distribution = self._distribution(owner, schema)
        handling = rng.choices(list(HandlingCode), weights=(55, 20, 15, 10))[0]
        hit_policy = rng.choices(list(HitPolicy), weights=(20, 50, 30))[0]
        grading = rng.choice("AABBBBCCCDEF") + rng.choice("1222333456")
        purposes = _PURPOSES.get(schema, (Purpose.THREAT_ANALYSIS, Purpose.INVESTIGATION))
        due = rng.random() < 0.03 if past_due is None else past_due
        review_by: date | None = None
        if due:
            review_by = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 270))
        elif rng.random() < 0.1:
            review_by = date(2029, 1, 1) + timedelta(days=rng.randrange(0, 900))
        return EnvelopeInput(
            distribution=distribution,
            handling=handling,
            handling_note=rng.choice(texts.H3_NOTES) if handling is HandlingCode.H3 else None,
            hit_policy=hit_policy,
            grading=grading,
            purpose=rng.choice(purposes),
            justification=rng.choice(texts.JUSTIFICATIONS),
            review_by=review_by,
        )

    def _distribution(self, owner: str, schema: str) -> Distribution:
        rng = self.rng
        # Relationships are shared more sparingly than the fact that someone exists.
        weights = (20, 15, 20, 45) if schema in ENTITY_SCHEMAS else (35, 15, 20, 30)
        kind = rng.choices(list(DistributionKind), weights=weights)[0]
        mine = [g for g in self.groups if owner in g.members]
        if kind is DistributionKind.GROUP and mine:
            return Distribution(DistributionKind.GROUP, group=rng.choice(mine).name)
        if kind in (DistributionKind.GROUP, DistributionKind.AGENCIES):
            others = [spec.code for spec in _AGENCIES if spec.code != owner]
            return Distribution(
                DistributionKind.AGENCIES, agencies=tuple(sorted(rng.sample(others, rng.randint(1, 3))))
            )
        return Distribution(kind)


def may_see(envelope: EnvelopeInput | None, owner: str, viewer: str, groups: list[SharingGroup]) -> bool:
    """Whether ``viewer`` may see a record of ``owner`` with this envelope, review dates aside."""
    if viewer == owner:
        return True
    dist = envelope.distribution if envelope and envelope.distribution else _SPEC[owner].defaults.distribution
    if dist.kind is DistributionKind.MEMBERS:
        return True
    if dist.kind is DistributionKind.AGENCIES:
        return viewer in dist.agencies
    if dist.kind is DistributionKind.GROUP:
        return any(g.name == dist.group and viewer in g.members for g in groups)
    return False


# --- people -------------------------------------------------------------------------------------------------

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
class _Person:
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


def _passport(rng: random.Random, country: str) -> str:
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


def _birth(rng: random.Random) -> date:
    return date(rng.randint(1966, 2003), 1, 1) + timedelta(days=rng.randrange(365))


def _pick_weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
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


def _make_person(rng: random.Random, index: int, origin: str) -> _Person:
    gender = Gender.FEMALE if rng.random() < 0.1 else Gender.MALE
    status = rng.choices([s for s, _ in _STATUS], weights=[w for _, w in _STATUS])[0]
    if origin == "european":
        country = rng.choice(("FR", "DE"))
        nationalities = [country]
        if rng.random() < 0.3:
            nationalities.append(rng.choice(_SECOND_NATIONALITY[country]))
        person = _Person(
            index, origin, Gender.MALE, _birth(rng), rng.choice(names.towns_in(country)), nationalities, ""
        )
        person.european = (rng.choice(names.EUROPEAN_GIVEN[country]), rng.choice(names.EUROPEAN_FAMILY[country]))
        person.kunya = _kunya(rng, Gender.MALE, (names.KUNYA_EUROPE[country],))
    elif origin == "caucasus":
        country = _pick_weighted(rng, _NATIONALITIES["caucasus"])
        town_country = "GE" if country == "GE" else "RU"
        c_pool = names.CAUCASUS_GIVEN_FEMALE if gender is Gender.FEMALE else names.CAUCASUS_GIVEN_MALE
        person = _Person(index, origin, gender, _birth(rng), rng.choice(names.towns_in(town_country)), [country], "")
        person.caucasus = (
            rng.choice(c_pool),
            rng.choice(names.CAUCASUS_PATRONYMICS),
            rng.choice(names.CAUCASUS_FAMILY),
        )
        if rng.random() < 0.7:
            person.kunya = _kunya(rng, gender, names.KUNYA_CAUCASUS)
    else:
        country = _pick_weighted(rng, _NATIONALITIES["arab"])
        towns = names.towns_in(country) or names.towns_in("SY")
        given_pool = names.ARABIC_GIVEN_FEMALE if gender is Gender.FEMALE else names.ARABIC_GIVEN_MALE
        person = _Person(index, origin, gender, _birth(rng), rng.choice(towns), [country], "")
        father = rng.choice(names.ARABIC_GIVEN_MALE)
        given = rng.choice(given_pool)
        while given is father:
            given = rng.choice(given_pool)
        person.arab = (given, father, rng.choice(names.ARABIC_FAMILY))
        if rng.random() < 0.75:
            person.kunya = _kunya(rng, gender, names.NISBAS)
    person.passport = _passport(rng, person.nationalities[0])
    person.status = status
    return person


def _latin(part: ArabicPart, style: str, variant: int) -> str:
    if style == "fr":
        return part.fr
    if style == "tr":
        return part.tr
    return part.en[variant % len(part.en)]


def _kunya_in(kunya: tuple[ArabicPart, ArabicPart, ArabicPart], style: str, variant: int, *, nisba: bool = True) -> str:
    parts = kunya if nisba else kunya[:2]
    if style == "ar":
        return " ".join(p.ar for p in parts)
    if style == "ru":
        return " ".join(p.ru for p in parts)
    return " ".join(_latin(p, style, variant) for p in parts)


def _name(value: str, kind: NameKind, lang: str) -> Name:
    return Name(value=value, kind=kind, lang=lang)


def _person_names(rng: random.Random, p: _Person, style: str, *, kunya_only: bool) -> list[Name]:
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
        out.append(_name(full, NameKind.PRIMARY, style))
        if style == "ar" and rng.random() < 0.6:  # the spelling in his passport
            latin = " ".join(_latin(x, "en", rng.randrange(3)) for x in (given, father, family))
            out.append(_name(latin, NameKind.ALIAS, "en"))
        elif style not in ("ar", "ru") and rng.random() < 0.35:
            out.append(_name(f"{given.ar} {father.ar} {family.ar}", NameKind.ORIGINAL_SCRIPT, "ar"))
    elif p.caucasus:
        c_given, (patronymic, patronymic_en), c_family = p.caucasus
        female = p.gender is Gender.FEMALE
        if female:
            patronymic = patronymic.replace("ович", "овна").replace("евич", "евна")
            patronymic_en = patronymic_en.replace("ovich", "ovna").replace("evich", "evna")
        if style == "ru":
            out.append(_name(f"{c_family.ru}{'а' if female else ''} {c_given.ru} {patronymic}", NameKind.PRIMARY, "ru"))
        elif style == "ar":
            out.append(_name(f"{c_given.ar} {c_family.ar}{'ا' if female else ''}", NameKind.PRIMARY, "ar"))
        else:
            spelled = {"fr": (c_given.fr, c_family.fr), "de": (c_given.de, c_family.de)}.get(
                style, (c_given.en, c_family.en)
            )
            suffix = "a" if female else ""
            out.append(_name(f"{spelled[0]} {spelled[1]}{suffix}", NameKind.PRIMARY, style))
            if rng.random() < 0.3:
                out.append(_name(f"{c_given.en} {patronymic_en} {c_family.en}{suffix}", NameKind.ALIAS, "en"))
            if rng.random() < 0.3:
                female_ru = "а" if female else ""
                out.append(_name(f"{c_given.ru} {patronymic} {c_family.ru}{female_ru}", NameKind.ORIGINAL_SCRIPT, "ru"))
    elif p.european:
        given_e, family_e = p.european
        if style == "ar":
            out.append(_name(f"{given_e.ar} {family_e.ar}", NameKind.PRIMARY, "ar"))
        elif style == "ru":
            out.append(_name(f"{given_e.ru} {family_e.ru}", NameKind.PRIMARY, "ru"))
        else:
            out.append(_name(f"{given_e.latin} {family_e.latin}", NameKind.PRIMARY, style))
            if p.kunya and rng.random() < 0.3:
                # A convert who took a Muslim given name: the birth name becomes a former name.
                new_given = _latin(p.kunya[1], style, variant)
                out[0] = _name(f"{new_given} {family_e.latin}", NameKind.PRIMARY, style)
                out.append(_name(f"{given_e.latin} {family_e.latin}", NameKind.FORMER, style))
    if p.kunya:
        kunya = _name(_kunya_in(p.kunya, style, variant), NameKind.ALIAS, style)
        if kunya_only:
            return [_name(kunya.value, NameKind.PRIMARY, style)]
        out.append(kunya)
        if rng.random() < 0.25:
            out.append(_name(_kunya_in(p.kunya, style, variant, nisba=False), NameKind.WEAK_ALIAS, style))
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


def _town_in(town: Town, style: str) -> str:
    if style == "ar":
        return town.ar
    if style == "ru":
        return town.ru
    if style == "tr" and town.tr:
        return town.tr
    return town.en


def _person_body(rng: random.Random, p: _Person, style: str, *, primary: bool) -> Person:
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
        birth_places=[_town_in(p.town, style)] if known_birth and rng.random() < 0.7 else [],
        nationalities=list(p.nationalities) if primary else p.nationalities[:1],
        gender=p.gender,
        documents=documents,
        addresses=[Address(city=_town_in(p.town, style), country=p.town.country)] if rng.random() < 0.3 else [],
        status=[p.status],
    )


# --- groups -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    index: int
    name: GroupName
    native: str  # ar or ru
    org_type: OrganizationType
    areas: list[str]
    founded: int
    status: OrganizationStatus
    ideology: str | None


def _groups(rng: random.Random) -> list[_Group]:
    groups: list[_Group] = []
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
                _Group(len(groups), name, "ar", OrganizationType.TERRORIST_GROUP, areas, rng.randint(2003, 2018),
                       rng.choice((OrganizationStatus.ACTIVE, OrganizationStatus.ACTIVE, OrganizationStatus.DESIGNATED)),
                       "salafi-jihadist")
            )  # fmt: skip
    for group in names.CAUCASUS_GROUPS:
        groups.append(
            _Group(len(groups), group, "ru", OrganizationType.TERRORIST_GROUP, ["RU"], rng.randint(2007, 2016),
                   OrganizationStatus.ACTIVE, "salafi-jihadist")
        )  # fmt: skip
    for group, kind in names.FRONT_GROUPS:
        groups.append(
            _Group(len(groups), group, "ar", OrganizationType(kind), sorted(rng.sample(("TR", "DE", "FR", "JO", "LB"), 2)),
                   rng.randint(2008, 2019), OrganizationStatus.ACTIVE, None)
        )  # fmt: skip
    return groups


def _group_body(g: _Group, style: str) -> Organization:
    n = g.name
    if style == "ar":
        names_ = [_name(n.ar, NameKind.PRIMARY, "ar"), _name(n.en, NameKind.ALIAS, "en")]
    elif style == "ru":
        names_ = [_name(n.ru, NameKind.PRIMARY, "ru")]
    elif style == "fr":
        names_ = [_name(n.fr, NameKind.PRIMARY, "fr"), _name(n.en, NameKind.ALIAS, "en")]
    else:
        names_ = [_name(n.en, NameKind.PRIMARY, "en")]
    if style not in ("ar", "ru"):
        names_.append(_name(n.ru if g.native == "ru" else n.ar, NameKind.ORIGINAL_SCRIPT, g.native))
    return Organization(
        names=names_,
        org_type=g.org_type,
        areas=g.areas,
        founded=FuzzyDate.parse(str(g.founded)),
        ideology=g.ideology,
        status=g.status,
    )


# --- the node -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Builder:
    rng: random.Random
    envelopes: _Envelopes
    groups: list[SharingGroup]
    items: dict[str, list[ImportItem]] = field(default_factory=dict)
    counters: dict[tuple[str, str], int] = field(default_factory=dict)
    person_key: dict[tuple[str, int], str] = field(default_factory=dict)  # (agency, person index) -> key
    group_key: dict[tuple[str, int], str] = field(default_factory=dict)
    bodies: dict[tuple[str, str], ImportItem] = field(default_factory=dict)

    def add(
        self, agency: str, prefix: str, body: Body, envelope: EnvelopeInput | None = None, key: str | None = None
    ) -> str:
        if key is None:
            number = self.counters.get((agency, prefix), 0) + 1
            self.counters[(agency, prefix)] = number
            key = f"{prefix}{number:04d}"
        item = ImportItem(key=key, body=body, envelope=envelope or self.envelopes.make(agency, body.schema_name))
        self.items.setdefault(agency, []).append(item)
        self.bodies[(agency, key)] = item
        return key

    def ref(self, viewer: str, index: int, *, kind: str, allow_foreign: bool = True) -> str | None:
        """A key for a person or group as ``viewer`` knows it: its own record, else one it may see elsewhere."""
        table = self.person_key if kind == "person" else self.group_key
        own = table.get((viewer, index))
        if own:
            return own
        if not allow_foreign:
            return None
        for spec in _AGENCIES:
            key = table.get((spec.code, index))
            if key is None or spec.code == viewer:
                continue
            envelope = self.bodies[(spec.code, key)].envelope
            if may_see(envelope, spec.code, viewer, self.groups) and not _past_due(envelope):
                return f"{spec.code}/{key}"
        return None


def _past_due(envelope: EnvelopeInput | None) -> bool:
    return bool(envelope and envelope.review_by and envelope.review_by < PAST_DUE_BEFORE)


_RECORDERS = {
    "arab": (("IQ-CTS", 40), ("JO-GID", 35), ("TR-EGM", 15), ("FR-DGSI", 5), ("DE-BKA", 5)),
    "caucasus": (("RU-FSB", 80), ("TR-EGM", 10), ("DE-BKA", 10)),
    "european": (("FR-DGSI", 50), ("DE-BKA", 50)),
}


def build_demo(seed: int = 7) -> DemoNode:
    """The demo node for ``seed``; the same seed always gives the same node."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not secrets
    agencies = [Agency(code=s.code, name=s.name, country=s.country, defaults=s.defaults) for s in _AGENCIES]
    users, passwords = _users(rng)
    groups = [
        SharingGroup(name=name, owner=owner, members=frozenset(members), description=text)
        for name, owner, members, text in _GROUPS
    ]
    b = _Builder(rng, _Envelopes(rng, groups), groups)
    for spec in _AGENCIES:
        b.items[spec.code] = []

    story_person = _story_person()
    people = [story_person]
    origins = ["arab"] * 130 + ["caucasus"] * 40 + ["european"] * 30
    people += [_make_person(rng, i + 1, origin) for i, origin in enumerate(origins)]
    all_groups = _groups(rng)
    _assign_memberships(rng, people, all_groups)
    brothers = _make_brothers(rng, people[1:])

    story = _record_story(b, story_person)
    _record_groups(b, all_groups)
    _record_people(b, people[1:])
    _record_memberships(b, people)
    _record_associations(b, people[1:], brothers)
    _record_group_relations(b, all_groups)
    _record_movements(b, people[1:])
    _record_incidents_and_plots(b, people[1:], all_groups)
    _record_designations(b, people[1:], all_groups)
    _record_reports(b)
    manifest, row_id, visible_key = _manifest(b, story_person, story.screener)

    # Entities first in each list: the loader's first pass.
    items = {code: sorted(b.items[code], key=lambda i: i.body.schema_name not in ENTITY_SCHEMAS) for code in b.items}
    return DemoNode(
        agencies=agencies,
        users=users,
        passwords=passwords,
        groups=groups,
        home_agency=HOME_AGENCY,
        items=items,
        manifest_csv=manifest,
        story=Story(story.owner, story.screener, story.person_key, story.flight, row_id, visible_key),
    )


def _assign_memberships(rng: random.Random, people: list[_Person], groups: list[_Group]) -> None:
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


def _story_person() -> _Person:
    given = next(x for x in names.ARABIC_GIVEN_MALE if x.ar == "عمار")
    father = next(x for x in names.ARABIC_GIVEN_MALE if x.ar == "خليل")
    family = next(x for x in names.ARABIC_FAMILY if x.ar == "الحديثي")
    son = next(x for x in names.ARABIC_GIVEN_MALE if x.ar == "سفيان")
    nisba = next(x for x in names.NISBAS if x.ar == "الأنباري")
    town = next(t for t in names.TOWNS if t.en == "Haditha")
    return _Person(
        0, "arab", Gender.MALE, date(1991, 3, 14), town, ["IQ"], "A18273645",
        arab=(given, father, family), kunya=(names.ABU, son, nisba), status=PersonStatus.FTF,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _StoryKeys:
    owner: str
    screener: str
    person_key: str
    flight: str


def _record_story(b: _Builder, p: _Person) -> _StoryKeys:
    owner, screener = "IQ-CTS", "DE-BKA"
    assert p.arab and p.kunya
    given, father, family = p.arab
    body = Person(
        names=[
            _name(f"{given.ar} {father.ar} {family.ar}", NameKind.PRIMARY, "ar"),
            _name(_kunya_in(p.kunya, "ar", 0), NameKind.ALIAS, "ar"),
            _name("Ammar Khalil al-Hadithi", NameKind.ALIAS, "en"),
        ],
        birth_dates=[FuzzyDate.parse(p.born)],
        birth_places=[p.town.ar],
        nationalities=["IQ"],
        gender=Gender.MALE,
        documents=[IdentityDocument(type=DocumentType.PASSPORT, number=p.passport, country="IQ",
                                    issued_on=FuzzyDate.parse("2019-05-02"), expires_on=FuzzyDate.parse("2027-05-01"))],
        status=[PersonStatus.FTF],
        notes="Left Haditha for Syria in 2014; believed to be returning to Europe through Istanbul.",
    )  # fmt: skip
    envelope = EnvelopeInput(
        distribution=Distribution(DistributionKind.OWNER),
        handling=HandlingCode.H2,
        hit_policy=HitPolicy.HIT_NO_HIT,
        grading="B2",
        purpose=Purpose.PREVENTION,
        justification="Foreign terrorist fighter; source reporting on his intended travel.",
    )
    key = b.add(owner, "P", body, envelope)
    b.person_key[(owner, p.index)] = key
    return _StoryKeys(owner, screener, key, "TK1591 IST-FRA")


def _record_groups(b: _Builder, groups: list[_Group]) -> None:
    recorders = {
        "ar": (("IQ-CTS", 0.8), ("JO-GID", 0.7), ("TR-EGM", 0.4), ("FR-DGSI", 0.3), ("DE-BKA", 0.3), ("RU-FSB", 0.15)),
        "ru": (("RU-FSB", 1.0), ("TR-EGM", 0.4), ("DE-BKA", 0.3), ("JO-GID", 0.2)),
    }
    for g in groups:
        chosen = [code for code, p in recorders[g.native] if b.rng.random() < p] or [recorders[g.native][0][0]]
        for code in chosen:
            key = b.add(code, "O", _group_body(g, _SPEC[code].style))
            b.group_key[(code, g.index)] = key


def _record_people(b: _Builder, people: list[_Person]) -> None:
    for p in people:
        first = _pick_weighted(b.rng, _RECORDERS[p.origin])
        recorders = [first] + [s.code for s in _AGENCIES if s.code != first and b.rng.random() < 0.17]
        for code in recorders:
            body = _person_body(b.rng, p, _SPEC[code].style, primary=code == first)
            key = b.add(code, "P", body)
            b.person_key[(code, p.index)] = key


def _period(rng: random.Random, since: int) -> tuple[FuzzyDate | None, FuzzyDate | None]:
    start = FuzzyDate.parse(rng.choice((str(since), f"{since}-{rng.randint(1, 12):02d}", f"{since}~")))
    end = None
    if rng.random() < 0.3:
        end = FuzzyDate.parse(str(min(since + rng.randint(1, 5), 2025)))
    return start, end


def _record_memberships(b: _Builder, people: list[_Person]) -> None:
    for p in people:
        for code in [s.code for s in _AGENCIES if (s.code, p.index) in b.person_key]:
            for group_index, role, since in p.groups:
                if b.rng.random() > 0.75:
                    continue
                target = b.ref(code, group_index, kind="group", allow_foreign=b.rng.random() < 0.5)
                if target is None:
                    continue
                start, end = _period(b.rng, since)
                body = Membership(
                    person=b.person_key[(code, p.index)], organization=target, role=role, start=start, end=end
                )
                b.add(code, "M", body)
    # The story fighter's unit, known only to his owner.
    story_group = next(i for (code, i) in b.group_key if code == "IQ-CTS")
    body = Membership(person=b.person_key[("IQ-CTS", 0)], organization=b.group_key[("IQ-CTS", story_group)], role=MembershipRole.MEMBER,
                      start=FuzzyDate.parse("2014~"))  # fmt: skip
    envelope = b.envelopes.make("IQ-CTS", "Membership", past_due=False)
    b.add("IQ-CTS", "M", body, envelope.model_copy(update={"distribution": Distribution(DistributionKind.OWNER)}))


_ASSOCIATION_KINDS = list(AssociationKind)


def _make_brothers(rng: random.Random, people: list[_Person]) -> list[tuple[_Person, _Person, AssociationKind]]:
    """Pairs of brothers: the second takes the first's father and family name, before anyone records them."""
    arabs = [p for p in people if p.arab]
    pairs = []
    for _ in range(12):
        a, c = rng.sample(arabs, 2)
        if a.arab and c.arab:
            c.arab = (c.arab[0], a.arab[1], a.arab[2])
        pairs.append((a, c, AssociationKind.FAMILY))
    return pairs


def _record_associations(
    b: _Builder, people: list[_Person], brothers: list[tuple[_Person, _Person, AssociationKind]]
) -> None:
    rng = b.rng
    pairs = list(brothers)
    by_group: dict[int, list[_Person]] = {}
    for p in people:
        for group_index, _, _ in p.groups:
            by_group.setdefault(group_index, []).append(p)
    for members in by_group.values():
        for _ in range(min(len(members) // 2, 6)):
            a, c = rng.sample(members, 2) if len(members) > 1 else (members[0], members[0])
            if a is not c:
                pairs.append((a, c, rng.choice(_ASSOCIATION_KINDS)))
    for a, c, kind in pairs:
        for spec in _AGENCIES:
            code = spec.code
            mine = b.person_key.get((code, a.index))
            if mine is None or rng.random() > 0.8:
                continue
            other = b.ref(code, c.index, kind="person", allow_foreign=rng.random() < 0.3)
            if other is None:
                continue
            start = None if kind is AssociationKind.FAMILY else FuzzyDate.parse(str(rng.randint(2012, 2022)))
            b.add(code, "A", Association(person=mine, associate=other, kind=kind, start=start))


def _record_group_relations(b: _Builder, groups: list[_Group]) -> None:
    rng = b.rng
    relations: list[tuple[_Group, _Group, GroupRelationKind, str]] = []
    armed = [g for g in groups if g.org_type is OrganizationType.TERRORIST_GROUP and g.native == "ar"]
    # Renamed: the two groups that share a motto.
    first, second = armed[0], armed[1]
    relations.append((first, second, GroupRelationKind.RENAMED_TO, str(max(first.founded, second.founded) + 1)))
    kinds: list[GroupRelationKind] = [k for k in GroupRelationKind if k is not GroupRelationKind.RENAMED_TO]
    for i in range(14):
        a, c = rng.sample(armed + [g for g in groups if g.native == "ru"], 2)
        kind = kinds[i % len(kinds)]
        year = max(a.founded, c.founded) + rng.randint(0, 5)
        when = rng.choice(
            (str(year), f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{year}-{rng.randint(1, 12):02d}")
        )
        relations.append((a, c, kind, when))
    for a, c, kind, when in relations:
        recorded = False
        for spec in _AGENCIES:
            mine = b.group_key.get((spec.code, a.index))
            if mine is None or (recorded and rng.random() > 0.5):
                continue
            target = b.ref(spec.code, c.index, kind="group")
            if target is None:
                continue
            b.add(
                spec.code, "G", GroupRelation(organization=mine, target=target, kind=kind, date=FuzzyDate.parse(when))
            )
            recorded = True


def _record_movements(b: _Builder, people: list[_Person]) -> None:
    rng = b.rng
    for p in people:
        if rng.random() > 0.3:
            continue
        # Border police record most travel; otherwise the agency that knows him does.
        code = "TR-EGM" if rng.random() < 0.5 else next(s.code for s in _AGENCIES if (s.code, p.index) in b.person_key)
        person = b.ref(code, p.index, kind="person")
        if person is None:
            continue
        when = datetime(
            rng.randint(2013, 2025), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), 0, tzinfo=UTC
        )
        journeys = texts.ITINERARIES.get(p.nationalities[0], texts.ITINERARIES["*"])
        legs = rng.choice(journeys)
        taken = [texts.ROUTE[leg] for leg in legs[: rng.randint(1, len(legs))]]
        for route, following in zip(taken, [*taken[1:], None], strict=True):
            body = Movement(
                person=person,
                origin=Place(country=route.origin, place=route.origin_place),
                destination=Place(country=route.destination, place=route.destination_place, point_of_entry=route.entry),
                departure=when,
                arrival=when + timedelta(hours=route.hours),
                mode=route.mode,
                carrier=route.carrier,
                flight=f"{route.code}{rng.randint(100, 2999)}" if route.code else None,
                document_number=p.passport if rng.random() < 0.8 else None,
                evidence=rng.choices(list(MovementEvidence), weights=(50, 40, 10))[0],
            )
            b.add(code, "V", body)
            # A flight on to a leg from the same country is a connection; anything else resumes months later.
            onward = following is not None and following.origin == route.destination and route.mode is TravelMode.AIR
            gap = timedelta(hours=rng.randint(4, 40)) if onward else timedelta(days=rng.randint(30, 400))
            when += timedelta(hours=route.hours) + gap


_ATTACKS: dict[AttackType, tuple[WeaponType, ...]] = {
    AttackType.ASSASSINATION: (WeaponType.FIREARMS, WeaponType.EXPLOSIVES),
    AttackType.ARMED_ASSAULT: (WeaponType.FIREARMS,),
    AttackType.BOMBING: (WeaponType.EXPLOSIVES,),
    AttackType.HIJACKING: (WeaponType.FIREARMS, WeaponType.VEHICLE),
    AttackType.HOSTAGE_BARRICADE: (WeaponType.FIREARMS,),
    AttackType.HOSTAGE_KIDNAPPING: (WeaponType.FIREARMS,),
    AttackType.FACILITY_ATTACK: (WeaponType.INCENDIARY, WeaponType.SABOTAGE_EQUIPMENT),
    AttackType.UNARMED_ASSAULT: (WeaponType.MELEE, WeaponType.VEHICLE),
    AttackType.UNKNOWN: (WeaponType.UNKNOWN,),
}


def _agency_people(b: _Builder, code: str, people: list[_Person]) -> list[_Person]:
    return [p for p in people if (code, p.index) in b.person_key]


def _record_incidents_and_plots(b: _Builder, people: list[_Person], groups: list[_Group]) -> None:
    rng = b.rng
    where = {"IQ-CTS": ("IQ",), "JO-GID": ("JO", "SY"), "RU-FSB": ("RU",), "FR-DGSI": ("FR",), "DE-BKA": ("DE",),
             "TR-EGM": ("TR", "SY")}  # fmt: skip
    counts = {"IQ-CTS": 9, "JO-GID": 5, "RU-FSB": 5, "FR-DGSI": 3, "DE-BKA": 2, "TR-EGM": 4}
    for spec in _AGENCIES:
        code = spec.code
        language = spec.language if spec.language in texts.ATTACK_LABEL else "en"
        mine = _agency_people(b, code, people)
        my_groups = [g for g in groups if (code, g.index) in b.group_key]
        for _ in range(counts[code]):
            country = rng.choice(where[code])
            town = rng.choice(names.towns_in(country))
            attack = rng.choice(list(_ATTACKS))
            target, target_text, _ = rng.choice(texts.TARGETS)
            day = date(rng.randint(2014, 2025), rng.randint(1, 12), rng.randint(1, 28))
            perpetrators = rng.sample(mine, min(len(mine), rng.randint(0, 3)))
            gangs = rng.sample(my_groups, min(len(my_groups), rng.randint(0, 1)))
            killed = None if attack is AttackType.UNKNOWN else rng.choice((0, 0, 1, 2, 3, 5, 8, 12, 21))
            body = Incident(
                title=f"{texts.ATTACK_LABEL[language][attack]} — {_town_in(town, language)}, {day.isoformat()}",
                date=FuzzyDate.parse(day),
                country=country,
                place=_town_in(town, "en"),
                attack_types=[attack],
                weapon_types=[rng.choice(_ATTACKS[attack])],
                target_types=[target],
                killed=killed,
                wounded=None if killed is None else killed * rng.randint(1, 4) + rng.randint(0, 6),
                perpetrators=[b.person_key[(code, p.index)] for p in perpetrators],
                perpetrator_groups=[b.group_key[(code, g.index)] for g in gangs],
                summary=f"{texts.ATTACK_LABEL['en'][attack]} on {target_text} in {town.en}.",
            )
            b.add(code, "I", body)
        for _ in range(max(1, counts[code] // 2)):
            country = rng.choice(where[code][:1])
            town = rng.choice(names.towns_in(country))
            target, target_text, short = rng.choice(texts.TARGETS)
            method = rng.choice([a for a in _ATTACKS if a is not AttackType.UNKNOWN])
            year = rng.randint(2023, 2027)
            status = rng.choice(list(PlotStatus))
            plot = Plot(
                title=f"Planned {texts.ATTACK_LABEL['en'][method].lower()} against {short}, {town.en}",
                target=f"{target_text} in {town.en}",
                target_type=target,
                country=country,
                place=town.en,
                method=method,
                timeframe=FuzzyDate.parse(rng.choice((str(year), f"{year}-{rng.randint(1, 12):02d}", f"{year}~"))),
                status=status,
                threat_level=rng.choice(list(ThreatLevel)),
                persons=[b.person_key[(code, p.index)] for p in rng.sample(mine, min(len(mine), rng.randint(1, 4)))],
                organizations=[b.group_key[(code, g.index)] for g in rng.sample(my_groups, min(len(my_groups), 1))],
                summary=f"Reporting on a {status.value} plot against {target_text}.",
            )
            b.add(code, "L", plot)


def _record_designations(b: _Builder, people: list[_Person], groups: list[_Group]) -> None:
    rng = b.rng
    for spec in _AGENCIES:
        code = spec.code
        authority, list_name, prefix = texts.AUTHORITIES[code]
        designated = [p for p in _agency_people(b, code, people) if p.status is PersonStatus.DESIGNATED]
        subjects = [b.person_key[(code, p.index)] for p in designated[:4]]
        subjects += [b.group_key[(code, g.index)] for g in groups if (code, g.index) in b.group_key][:2]
        for number, subject in enumerate(subjects, start=1):
            listed = date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
            body = Designation(
                subject=subject,
                authority=authority,
                list_name=list_name,
                reference=f"{prefix}-{listed.year}-{number:03d}",
                listed_on=FuzzyDate.parse(listed),
                reason="Participation in the financing, planning or perpetration of terrorist acts.",
            )
            envelope = b.envelopes.make(code, "Designation").model_copy(
                update={"distribution": Distribution(DistributionKind.MEMBERS), "hit_policy": HitPolicy.NOTIFY_OWNER}
            )
            b.add(code, "D", body, envelope)


def _record_reports(b: _Builder) -> None:
    rng = b.rng
    for spec in _AGENCIES:
        code = spec.code
        language = spec.language
        people = [i for i in b.items[code] if isinstance(i.body, Person)]
        orgs = [i for i in b.items[code] if isinstance(i.body, Organization)]
        if len(people) < 2 or not orgs:
            continue
        for _ in range(7):
            title, template = rng.choice(texts.REPORTS[language])
            p1, p2 = rng.sample(people, 2)
            org = rng.choice(orgs)
            when = date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
            town = rng.choice(names.TOWNS)
            assert isinstance(p1.body, Person) and isinstance(p2.body, Person) and isinstance(org.body, Organization)
            text = template.format(
                p1=p1.body.caption(),
                p2=p2.body.caption(),
                org=org.body.caption(),
                town=_town_in(town, language if language in ("ar", "ru") else "en"),
                month=texts.MONTHS[language][when.month - 1],
                year=when.year,
            )
            body = Report(
                title=title.format(town=_town_in(town, language)),
                language=language,
                text=text,
                date=FuzzyDate.parse(when),
                mentions=[p1.key, p2.key, org.key],
            )
            b.add(code, "R", body)


def _manifest(b: _Builder, story: _Person, screener: str) -> tuple[str, str, str]:
    """A flight manifest with the story fighter under another spelling, and one passenger the screener may see."""
    rng = random.Random(1591)  # noqa: S311 - the manifest stays the same whatever else changes in the node
    rows = [("id", "name", "birth_date", "nationality", "document_number")]
    passengers = list(names.PASSENGER_NAMES)
    for i, name in enumerate(passengers[:6], start=1):
        rows.append(
            (f"PAX{i:03d}", name, _birth(rng).isoformat(), rng.choice(("DE", "TR", "DE", "LB")), _passport(rng, "DE"))
        )
    story_row = f"PAX{len(rows):03d}"
    rows.append((story_row, "AMAR KHALEEL AL HADEETHI", story.born.isoformat(), "IQ", story.passport))
    visible_key = ""
    for code, item in _shared_passengers(b, screener):
        body = item.body
        assert isinstance(body, Person)
        latin = next(n.value for n in body.names if n.script is Script.LATIN)
        nationality = body.nationalities[0] if body.nationalities else ""
        document = body.documents[0].number
        rows.append(
            (f"PAX{len(rows):03d}", latin.upper().replace("-", " "), body.birth_dates[0].text, nationality, document)
        )
        visible_key = f"{code}/{item.key}"
        break
    for name in passengers[6:]:
        rows.append(
            (f"PAX{len(rows):03d}", name, _birth(rng).isoformat(), rng.choice(("DE", "TR")), _passport(rng, "TR"))
        )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), story_row, visible_key


def _shared_passengers(b: _Builder, screener: str) -> Iterator[tuple[str, ImportItem]]:
    """Persons shared with every member, with an exact birth date, a document and a Latin name."""
    for code, agency_items in b.items.items():
        if code == screener:
            continue
        for item in agency_items:
            body, env = item.body, item.envelope
            if not isinstance(body, Person) or not body.documents or not body.birth_dates:
                continue
            latin = " ".join(n.value for n in body.names if n.script is Script.LATIN).lower()
            if not latin or "hadith" in latin or "khalil" in latin:  # nothing that could be read as the story man
                continue
            shared = (
                env is not None and env.distribution is not None and env.distribution.kind is DistributionKind.MEMBERS
            )
            if shared and not _past_due(env) and body.birth_dates[0].precision is Precision.DAY:
                yield code, item
