"""The record types agencies contribute. Each is the body of a record; the envelope travels beside it.

Bodies are pydantic models so that every field is validated on the way in, with the field's path in the
error. Relationship records refer to other records by id; whether those exist and may be seen is checked
by the services, not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from ictdb.model.countries import CountryCode
from ictdb.model.dates import FuzzyDate
from ictdb.model.scripts import detect_script
from ictdb.model.vocab import (
    AssociationKind,
    AttackType,
    DocumentType,
    Gender,
    GroupRelationKind,
    MembershipRole,
    MovementEvidence,
    NameKind,
    OrganizationStatus,
    OrganizationType,
    PersonStatus,
    PlotStatus,
    Script,
    TargetType,
    ThreatLevel,
    TravelMode,
    WeaponType,
)

MAX_NAME = 500
MAX_TEXT = 1_000_000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
RecordRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_Part):
    """One name of a person or group, as written, with its script and how the owner regards it."""

    value: str
    kind: NameKind = NameKind.PRIMARY
    script: Annotated[Script | None, Field(validate_default=True)] = None
    lang: str | None = None

    @field_validator("value")
    @classmethod
    def _clean(cls, value: str) -> str:
        text = " ".join((value if value.isascii() else value.translate(_INVISIBLE)).split())
        if not text:
            raise ValueError("a name cannot be empty")
        if len(text) > MAX_NAME:
            raise ValueError(f"a name is at most {MAX_NAME} characters")
        if not any(ch.isalpha() for ch in text):
            raise ValueError("a name needs at least one letter")
        return text

    @field_validator("script")
    @classmethod
    def _script(cls, script: Script | None, info: ValidationInfo) -> Script | None:
        """The script of the value when none is given. A field's validator rather than the model's, which
        pydantic would run again on every Name passed in already made (a memoised one, see below)."""
        if script is None and "value" in info.data:
            return detect_script(info.data["value"])
        return script


NAMES_MEMO = "names"
"""Key of the validation context's memo of names already validated (see ``stored.parse_memo``): three dicts,
of primary names given as strings, of aliases given as strings, and of names given as objects."""


def _memo_key(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """A name given as an object whose fields are all plain strings, as a key; None for anything else."""
    if all(isinstance(v, str) or v is None for v in item.values()):
        return tuple(sorted(item.items()))
    return None


def _remembered(memo: dict[Any, Name], key: Any, given: Any) -> Any:
    """The Name validated from ``given`` before, or validated now; ``given`` itself when it is not valid."""
    name = memo.get(key)
    if name is None:
        try:
            name = memo[key] = Name.model_validate(given)
        except pydantic.ValidationError:
            return given
    return name


def _names_from_strings(value: Any, info: ValidationInfo) -> Any:
    """Accept plain strings for names: the first is primary, the others aliases.

    With a memo in the validation context, a name given as before is the ``Name`` validated then: a bulk
    import repeats names often, and each costs more to clean and place in its script than the rest of its
    record. A name that does not validate is left as given, so the error names it as without the memo.
    """
    if not isinstance(value, list):
        return value
    memo: tuple[dict[Any, Name], ...] | None = info.context.get(NAMES_MEMO) if info.context else None
    out: list[Any] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            given = {"value": item, "kind": NameKind.ALIAS if index else NameKind.PRIMARY}
            out.append(given if memo is None else _remembered(memo[1 if index else 0], item, given))
        elif memo is not None and isinstance(item, dict) and (key := _memo_key(item)) is not None:
            out.append(_remembered(memo[2], key, item))
        else:
            out.append(item)
    return out


class Identifier(_Part):
    """An identifier of a record in another system: ``source-id``, ``un-ref``, ``ofac-ent`` ..."""

    scheme: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class IdentityDocument(_Part):
    type: DocumentType = DocumentType.PASSPORT
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    country: CountryCode | None = None
    issued_on: FuzzyDate | None = None
    expires_on: FuzzyDate | None = None
    note: Text | None = None


class Address(_Part):
    text: Text | None = None
    city: Text | None = None
    region: Text | None = None
    country: CountryCode | None = None
    note: Text | None = None


class Body(BaseModel):
    """Fields shared by every record type."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )
    schema_name: ClassVar[str]

    identifiers: list[Identifier] = Field(default_factory=list)
    notes: LongText | None = None

    def references(self) -> dict[str, list[str]]:
        """Other records this one points to, by the field that names them."""
        return {}

    def caption(self) -> str:
        return self.schema_name


class _Named(Body):
    names: Annotated[list[Name], Field(min_length=1)]

    _accept_strings = field_validator("names", mode="before")(_names_from_strings)

    def caption(self) -> str:
        for kind in (NameKind.PRIMARY, NameKind.ALIAS, NameKind.ORIGINAL_SCRIPT):
            for name in self.names:
                if name.kind is kind:
                    return name.value
        return self.names[0].value


class Person(_Named):
    schema_name: ClassVar[str] = "Person"
    schema_: Literal["Person"] = Field("Person", alias="schema")
    birth_dates: list[FuzzyDate] = Field(default_factory=list)
    birth_places: list[Text] = Field(default_factory=list)
    nationalities: list[CountryCode] = Field(default_factory=list)
    gender: Gender | None = None
    titles: list[Text] = Field(default_factory=list)
    documents: list[IdentityDocument] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)
    photos: list[Text] = Field(default_factory=list)
    status: list[PersonStatus] = Field(default_factory=list)


class Organization(_Named):
    schema_name: ClassVar[str] = "Organization"
    schema_: Literal["Organization"] = Field("Organization", alias="schema")
    org_type: OrganizationType | None = None
    areas: list[CountryCode] = Field(default_factory=list)
    founded: FuzzyDate | None = None
    dissolved: FuzzyDate | None = None
    ideology: Text | None = None
    status: OrganizationStatus | None = None
    addresses: list[Address] = Field(default_factory=list)


class _Period(Body):
    start: FuzzyDate | None = None
    end: FuzzyDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        if self.start and self.end and self.end.latest < self.start.earliest:
            raise ValueError("end is before start")
        return self


class Membership(_Period):
    schema_name: ClassVar[str] = "Membership"
    schema_: Literal["Membership"] = Field("Membership", alias="schema")
    person: RecordRef
    organization: RecordRef
    role: MembershipRole = MembershipRole.MEMBER

    def references(self) -> dict[str, list[str]]:
        return {"person": [self.person], "organization": [self.organization]}

    def caption(self) -> str:
        return f"{self.role.value} of {self.organization}"


class Association(_Period):
    schema_name: ClassVar[str] = "Association"
    schema_: Literal["Association"] = Field("Association", alias="schema")
    person: RecordRef
    associate: RecordRef
    kind: AssociationKind = AssociationKind.ASSOCIATE

    def references(self) -> dict[str, list[str]]:
        return {"person": [self.person], "associate": [self.associate]}

    def caption(self) -> str:
        return f"{self.kind.value} association"


class GroupRelation(Body):
    schema_name: ClassVar[str] = "GroupRelation"
    schema_: Literal["GroupRelation"] = Field("GroupRelation", alias="schema")
    organization: RecordRef
    target: RecordRef
    kind: GroupRelationKind
    date: FuzzyDate | None = None

    def references(self) -> dict[str, list[str]]:
        return {"organization": [self.organization], "target": [self.target]}

    def caption(self) -> str:
        return self.kind.value


class Place(_Part):
    country: CountryCode | None = None
    place: Text | None = None
    point_of_entry: Text | None = None


class Movement(Body):
    schema_name: ClassVar[str] = "Movement"
    schema_: Literal["Movement"] = Field("Movement", alias="schema")
    person: RecordRef
    origin: Place = Field(default_factory=Place)
    destination: Place = Field(default_factory=Place)
    departure: datetime | None = None
    arrival: datetime | None = None
    mode: TravelMode | None = None
    carrier: Text | None = None
    flight: Text | None = None
    document_number: Text | None = None
    evidence: MovementEvidence = MovementEvidence.REPORTED

    @model_validator(mode="after")
    def _sane(self) -> Movement:
        if not (self.origin.country or self.destination.country or self.origin.place or self.destination.place):
            raise ValueError("a movement needs an origin or a destination")
        if self.departure and self.arrival and self.arrival < self.departure:
            raise ValueError("arrival is before departure")
        return self

    def references(self) -> dict[str, list[str]]:
        return {"person": [self.person]}

    def caption(self) -> str:
        return f"{self.origin.country or '?'} -> {self.destination.country or '?'}"


class Incident(Body):
    schema_name: ClassVar[str] = "Incident"
    schema_: Literal["Incident"] = Field("Incident", alias="schema")
    title: Text
    date: FuzzyDate
    country: CountryCode | None = None
    place: Text | None = None
    attack_types: list[AttackType] = Field(default_factory=lambda: [AttackType.UNKNOWN])
    weapon_types: list[WeaponType] = Field(default_factory=lambda: [WeaponType.UNKNOWN])
    target_types: list[TargetType] = Field(default_factory=lambda: [TargetType.UNKNOWN])
    killed: Annotated[int, Field(ge=0)] | None = None
    wounded: Annotated[int, Field(ge=0)] | None = None
    perpetrators: list[RecordRef] = Field(default_factory=list)
    perpetrator_groups: list[RecordRef] = Field(default_factory=list)
    summary: LongText | None = None

    def references(self) -> dict[str, list[str]]:
        return {"perpetrators": list(self.perpetrators), "perpetrator_groups": list(self.perpetrator_groups)}

    def caption(self) -> str:
        return self.title


class Plot(Body):
    schema_name: ClassVar[str] = "Plot"
    schema_: Literal["Plot"] = Field("Plot", alias="schema")
    title: Text
    target: Text | None = None
    target_type: TargetType | None = None
    country: CountryCode | None = None
    place: Text | None = None
    method: AttackType | None = None
    timeframe: FuzzyDate | None = None
    status: PlotStatus = PlotStatus.SUSPECTED
    threat_level: ThreatLevel | None = None
    persons: list[RecordRef] = Field(default_factory=list)
    organizations: list[RecordRef] = Field(default_factory=list)
    summary: LongText | None = None

    def references(self) -> dict[str, list[str]]:
        return {"persons": list(self.persons), "organizations": list(self.organizations)}

    def caption(self) -> str:
        return self.title


class Designation(Body):
    schema_name: ClassVar[str] = "Designation"
    schema_: Literal["Designation"] = Field("Designation", alias="schema")
    subject: RecordRef
    authority: Text
    list_name: Text
    reference: Text | None = None
    listed_on: FuzzyDate | None = None
    ended_on: FuzzyDate | None = None
    reason: LongText | None = None

    def references(self) -> dict[str, list[str]]:
        return {"subject": [self.subject]}

    def caption(self) -> str:
        return f"{self.authority} {self.reference or self.list_name}"


class Report(Body):
    schema_name: ClassVar[str] = "Report"
    schema_: Literal["Report"] = Field("Report", alias="schema")
    title: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")] | None = None
    text: LongText = ""
    date: FuzzyDate | None = None
    mentions: list[RecordRef] = Field(default_factory=list)

    def references(self) -> dict[str, list[str]]:
        return {"mentions": list(self.mentions)}

    def caption(self) -> str:
        return self.title


RecordBody = Annotated[
    Person
    | Organization
    | Membership
    | Association
    | GroupRelation
    | Movement
    | Incident
    | Plot
    | Designation
    | Report,
    Field(discriminator="schema_"),
]

BODY_TYPES: dict[str, type[Body]] = {
    cls.schema_name: cls
    for cls in (
        Person,
        Organization,
        Membership,
        Association,
        GroupRelation,
        Movement,
        Incident,
        Plot,
        Designation,
        Report,
    )
}
