"""Agencies, their users and sharing groups, and the actor on whose behalf a request runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from ictdb.model.countries import CountryCode
from ictdb.model.envelope import AgencyCode, EnvelopeDefaults
from ictdb.model.vocab import Role

Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: AgencyCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    country: CountryCode
    list_authority: bool = False
    defaults: EnvelopeDefaults = EnvelopeDefaults()


class User(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    username: Username
    agency: AgencyCode
    roles: frozenset[Role]
    full_name: str | None = None
    active: bool = True
    created_at: datetime | None = None


class SharingGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    owner: AgencyCode
    members: frozenset[str]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a user of an agency, with the roles they hold. Built once per request."""

    username: str
    agency: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    origin: str = "cli"

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.NODE_ADMIN in self.roles
