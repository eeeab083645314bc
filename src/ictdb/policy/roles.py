"""Which role may do what. Checked by the services before they touch storage."""

from __future__ import annotations

from ictdb.model.actors import Actor
from ictdb.model.errors import Forbidden
from ictdb.model.vocab import Role


def require(actor: Actor, role: Role, what: str) -> None:
    """Raise Forbidden unless the actor holds ``role`` (a node administrator holds every role)."""
    if not actor.has(role):
        raise Forbidden(f"{what} needs the {role.value} role")


def require_own_agency(actor: Actor, agency: str, what: str) -> None:
    """Agency administrators act on their own agency only; node administrators on any."""
    if actor.agency != agency and not actor.has(Role.NODE_ADMIN):
        raise Forbidden(f"{what} is for {agency}'s own administrators")
