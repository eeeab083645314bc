"""The handling envelope every record carries: who owns it, who may see it, what may be done with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

from ictdb.model.errors import ValidationError
from ictdb.model.vocab import HandlingCode, HitPolicy, Purpose

AGENCY_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,12}$")
GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
REVIEW_YEARS = 5


def check_agency_code(code: str) -> str:
    value = code.strip().upper()
    if not AGENCY_CODE.match(value):
        raise ValueError(f"not an agency code (like RU-FSB or UN-SC): {code!r}")
    return value


AgencyCode = Annotated[str, AfterValidator(check_agency_code)]


class DistributionKind(StrEnum):
    OWNER = "owner"
    AGENCIES = "agencies"
    GROUP = "group"
    MEMBERS = "members"


@dataclass(frozen=True, slots=True)
class Distribution:
    """Who may see a record besides its owner: nobody, named agencies, a sharing group, or all members."""

    kind: DistributionKind
    agencies: tuple[str, ...] = ()
    group: str | None = None

    @classmethod
    def parse(cls, value: str | Distribution) -> Distribution:
        if isinstance(value, Distribution):
            return value
        text = value.strip()
        head, _, rest = text.partition(":")
        if head == "owner" and not rest:
            return cls(DistributionKind.OWNER)
        if head == "members" and not rest:
            return cls(DistributionKind.MEMBERS)
        if head == "agencies":
            codes = tuple(sorted({check_agency_code(c) for c in rest.split(",") if c.strip()}))
            if not codes:
                raise ValidationError("agencies: needs at least one agency code", "distribution")
            return cls(DistributionKind.AGENCIES, agencies=codes)
        if head == "group":
            name = rest.strip().lower()
            if not GROUP_NAME.match(name):
                raise ValidationError(f"not a sharing group name: {rest!r}", "distribution")
            return cls(DistributionKind.GROUP, group=name)
        raise ValidationError(f"{value!r}: use owner, members, agencies:AAA,BBB or group:NAME", "distribution")

    def __str__(self) -> str:
        if self.kind is DistributionKind.AGENCIES:
            return "agencies:" + ",".join(self.agencies)
        if self.kind is DistributionKind.GROUP:
            return f"group:{self.group}"
        return self.kind.value

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> Distribution:
            if isinstance(value, (str, Distribution)):
                try:
                    return cls.parse(value)
                except (ValidationError, ValueError) as exc:
                    raise ValueError(str(exc)) from exc
            raise ValueError("distribution must be a string")

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
            json_schema_input_schema=core_schema.str_schema(),
        )


GRADING = re.compile(r"^[A-F][1-6]$")


def check_grading(value: str) -> str:
    """Admiralty grading: source reliability A (reliable) .. F (cannot judge), information 1 (confirmed) .. 6."""
    text = value.strip().upper()
    if not GRADING.match(text):
        raise ValueError(f"grading must be a letter A-F and a digit 1-6, like B2: {value!r}")
    return text


Grading = Annotated[str, AfterValidator(check_grading)]


def default_review_by(created: date) -> date:
    try:
        return created.replace(year=created.year + REVIEW_YEARS)
    except ValueError:  # 29 February
        return created.replace(year=created.year + REVIEW_YEARS, day=28)


class EnvelopeDefaults(BaseModel):
    """An agency's defaults for the envelope of the records it creates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    distribution: Distribution = Distribution(DistributionKind.MEMBERS)
    handling: HandlingCode = HandlingCode.H0
    hit_policy: HitPolicy = HitPolicy.NOTIFY_OWNER
    grading: Grading = "F6"
    purpose: Purpose = Purpose.THREAT_ANALYSIS


class EnvelopeInput(BaseModel):
    """The envelope fields a contributor may set; anything left out takes the agency's default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    distribution: Distribution | None = None
    handling: HandlingCode | None = None
    handling_note: str | None = None
    hit_policy: HitPolicy | None = None
    grading: Grading | None = None
    purpose: Purpose | None = None
    justification: str | None = None
    review_by: date | None = None


class Envelope(BaseModel):
    """The complete handling envelope of a stored record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: AgencyCode
    distribution: Distribution
    handling: HandlingCode
    handling_note: str | None = None
    hit_policy: HitPolicy
    grading: Grading
    purpose: Purpose
    justification: str | None = None
    review_by: date

    @classmethod
    def complete(cls, owner: str, given: EnvelopeInput, defaults: EnvelopeDefaults, today: date) -> Envelope:
        handling = given.handling or defaults.handling
        if handling is HandlingCode.H3 and not (given.handling_note or "").strip():
            raise ValidationError("H3 needs the restriction stated in handling_note", "handling")
        return cls(
            owner=owner,
            distribution=given.distribution or defaults.distribution,
            handling=handling,
            handling_note=given.handling_note,
            hit_policy=given.hit_policy or defaults.hit_policy,
            grading=given.grading or defaults.grading,
            purpose=given.purpose or defaults.purpose,
            justification=given.justification,
            review_by=given.review_by or default_review_by(today),
        )
