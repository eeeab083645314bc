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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ictdb.model.actors import Agency, SharingGroup, User
from ictdb.model.bundle import ImportItem
from ictdb.model.dates import FuzzyDate, Precision
from ictdb.model.envelope import Distribution, DistributionKind, EnvelopeDefaults, EnvelopeInput
from ictdb.model.records import (
    Association,
    Body,
    Designation,
    GroupRelation,
    IdentityDocument,
    Incident,
    Membership,
    Movement,
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
from ictdb.services import demo_world as world

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


# --- groups -------------------------------------------------------------------------------------------------


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

    story_person = world.story_person()
    people = [story_person]
    origins = ["arab"] * 130 + ["caucasus"] * 40 + ["european"] * 30
    people += [world.make_person(rng, i + 1, origin) for i, origin in enumerate(origins)]
    all_groups = world.make_groups(rng)
    world.assign_memberships(rng, people, all_groups)
    brothers = world.make_brothers(rng, people[1:])

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


@dataclass(frozen=True, slots=True)
class _StoryKeys:
    owner: str
    screener: str
    person_key: str
    flight: str


def _record_story(b: _Builder, p: world.Individual) -> _StoryKeys:
    owner, screener = "IQ-CTS", "DE-BKA"
    assert p.arab and p.kunya
    given, father, family = p.arab
    body = Person(
        names=[
            world.tagged_name(f"{given.ar} {father.ar} {family.ar}", NameKind.PRIMARY, "ar"),
            world.tagged_name(world.kunya_in(p.kunya, "ar", 0), NameKind.ALIAS, "ar"),
            world.tagged_name("Ammar Khalil al-Hadithi", NameKind.ALIAS, "en"),
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


def _record_groups(b: _Builder, groups: list[world.Group]) -> None:
    recorders = {
        "ar": (("IQ-CTS", 0.8), ("JO-GID", 0.7), ("TR-EGM", 0.4), ("FR-DGSI", 0.3), ("DE-BKA", 0.3), ("RU-FSB", 0.15)),
        "ru": (("RU-FSB", 1.0), ("TR-EGM", 0.4), ("DE-BKA", 0.3), ("JO-GID", 0.2)),
    }
    for g in groups:
        chosen = [code for code, p in recorders[g.native] if b.rng.random() < p] or [recorders[g.native][0][0]]
        for code in chosen:
            key = b.add(code, "O", world.group_body(g, _SPEC[code].style))
            b.group_key[(code, g.index)] = key


def _record_people(b: _Builder, people: list[world.Individual]) -> None:
    for p in people:
        first = world.pick_weighted(b.rng, _RECORDERS[p.origin])
        recorders = [first] + [s.code for s in _AGENCIES if s.code != first and b.rng.random() < 0.17]
        for code in recorders:
            body = world.person_body(b.rng, p, _SPEC[code].style, primary=code == first)
            key = b.add(code, "P", body)
            b.person_key[(code, p.index)] = key


def _period(rng: random.Random, since: int) -> tuple[FuzzyDate | None, FuzzyDate | None]:
    start = FuzzyDate.parse(rng.choice((str(since), f"{since}-{rng.randint(1, 12):02d}", f"{since}~")))
    end = None
    if rng.random() < 0.3:
        end = FuzzyDate.parse(str(min(since + rng.randint(1, 5), 2025)))
    return start, end


def _record_memberships(b: _Builder, people: list[world.Individual]) -> None:
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


def _record_associations(
    b: _Builder,
    people: list[world.Individual],
    brothers: list[tuple[world.Individual, world.Individual, AssociationKind]],
) -> None:
    rng = b.rng
    pairs = list(brothers)
    by_group: dict[int, list[world.Individual]] = {}
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


def _record_group_relations(b: _Builder, groups: list[world.Group]) -> None:
    rng = b.rng
    relations: list[tuple[world.Group, world.Group, GroupRelationKind, str]] = []
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


def _record_movements(b: _Builder, people: list[world.Individual]) -> None:
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


def _agency_people(b: _Builder, code: str, people: list[world.Individual]) -> list[world.Individual]:
    return [p for p in people if (code, p.index) in b.person_key]


def _record_incidents_and_plots(b: _Builder, people: list[world.Individual], groups: list[world.Group]) -> None:
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
                title=f"{texts.ATTACK_LABEL[language][attack]} — {world.town_in(town, language)}, {day.isoformat()}",
                date=FuzzyDate.parse(day),
                country=country,
                place=world.town_in(town, "en"),
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


def _record_designations(b: _Builder, people: list[world.Individual], groups: list[world.Group]) -> None:
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
                town=world.town_in(town, language if language in ("ar", "ru") else "en"),
                month=texts.MONTHS[language][when.month - 1],
                year=when.year,
            )
            body = Report(
                title=title.format(town=world.town_in(town, language)),
                language=language,
                text=text,
                date=FuzzyDate.parse(when),
                mentions=[p1.key, p2.key, org.key],
            )
            b.add(code, "R", body)


def _manifest(b: _Builder, story: world.Individual, screener: str) -> tuple[str, str, str]:
    """A flight manifest with the story fighter under another spelling, and one passenger the screener may see."""
    rng = random.Random(1591)  # noqa: S311 - the manifest stays the same whatever else changes in the node
    rows = [("id", "name", "birth_date", "nationality", "document_number")]
    passengers = list(names.PASSENGER_NAMES)
    for i, name in enumerate(passengers[:6], start=1):
        rows.append(
            (
                f"PAX{i:03d}",
                name,
                world.birth(rng).isoformat(),
                rng.choice(("DE", "TR", "DE", "LB")),
                world.passport(rng, "DE"),
            )
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
            (
                f"PAX{len(rows):03d}",
                name,
                world.birth(rng).isoformat(),
                rng.choice(("DE", "TR")),
                world.passport(rng, "TR"),
            )
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
