"""Building small nodes for tests through the services, as a user would."""

from __future__ import annotations

from ictdb.model.actors import Actor, Agency, User
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.stored import Record, parse_body
from ictdb.model.vocab import Role
from ictdb.services import directory, records
from ictdb.services.node import Node

AGENCIES = {"FR-DGSI": "FR", "JO-GID": "JO", "IQ-CTS": "IQ", "DE-BKA": "DE"}


def seed_agencies(node: Node, codes: dict[str, str] | None = None) -> dict[str, Actor]:
    """The first agency is the home agency; each gets an analyst-supervisor-admin user named after it."""
    codes = codes or AGENCIES
    first, *rest = codes
    admin = directory.init_node(node, first, f"{first} agency", codes[first])
    actors = {}
    for code in rest:
        directory.create_agency(node, admin, Agency(code=code, name=f"{code} agency", country=codes[code]))
    for code in codes:
        username = f"officer.{code.lower()}"
        directory.create_user(
            node,
            admin,
            User(username=username, agency=code, roles=frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})),
            "correct horse battery",
        )
        actors[code] = directory.actor_for(node, code, username)
    return actors


def person(node: Node, actor: Actor, *names: str, **envelope: object) -> Record:
    body = parse_body({"schema": "Person", "names": list(names) or ["Abu Bakr al-Baghdadi"]})
    return records.add_record(node, actor, body, EnvelopeInput.model_validate(envelope) if envelope else None)
