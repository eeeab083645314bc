"""Movements from screening, and a person's travel as a timeline of what the viewer may see.

When a border officer confirms that a screened traveller is the person a record describes, the crossing
becomes an observed Movement owned by the screening agency, under that agency's default distribution.
Recording it goes through ``records.add_record``, so watchers of the person are alerted in the same
transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ictdb.formats.screening_rows import ScreeningRow
from ictdb.model.actors import Actor
from ictdb.model.countries import check_country
from ictdb.model.errors import ValidationError
from ictdb.model.records import Movement, Place
from ictdb.model.stored import Record
from ictdb.model.vocab import MovementEvidence, Role, TravelMode
from ictdb.policy.roles import require
from ictdb.services.audit import log
from ictdb.services.node import Node
from ictdb.services.records import add_record, not_found

__all__ = ["confirm_screening_match", "timeline"]


def _when(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _country(value: str | None, field: str) -> str | None:
    if not value:
        return None
    try:
        return check_country(value)
    except ValueError as exc:
        raise ValidationError(str(exc), field) from None


def confirm_screening_match(
    node: Node,
    actor: Actor,
    record_id: str,
    *,
    row: ScreeningRow | None = None,
    source: str | None = None,
    origin_country: str | None = None,
    origin_place: str | None = None,
    destination_country: str | None = None,
    destination_place: str | None = None,
    point_of_entry: str | None = None,
    departure: datetime | None = None,
    arrival: datetime | None = None,
    flight: str | None = None,
    carrier: str | None = None,
    document_number: str | None = None,
) -> Record:
    """Record the observed Movement of person ``record_id``, matched on a manifest row the actor confirms.

    Travel details come from the row (flight, places, times, document) unless given explicitly.
    """
    require(actor, Role.ANALYST, "confirming a screening match")
    with node.store.transaction() as tx:
        person = tx.records.get(node.viewer(actor), record_id)
    if person is None:
        raise not_found(record_id)
    if person.schema_name != "Person":
        raise ValidationError(f"a movement is a person's; {record_id} is a {person.schema_name}", "record_id")
    flight = flight or (row.flight if row else None)
    origin = Place(
        country=_country(origin_country, "origin_country"), place=origin_place or (row.departure_place if row else None)
    )
    destination = Place(
        country=_country(destination_country, "destination_country"),
        place=destination_place or (row.arrival_place if row else None),
        point_of_entry=point_of_entry,
    )
    if not (origin.country or origin.place or destination.country or destination.place):
        raise ValidationError("say where the traveller came from or was going", "destination")
    note = f"Confirmed screening match{f' in {source}' if source else ''}{f', row {row.id}' if row else ''}."
    body = Movement(
        person=person.id,
        origin=origin,
        destination=destination,
        departure=_when(departure or (row.departure_time if row else None)),
        arrival=_when(arrival or (row.arrival_time if row else None)),
        mode=TravelMode.AIR if flight else None,
        carrier=carrier or (row.carrier if row else None),
        flight=flight,
        document_number=document_number or (row.document_number if row else None),
        evidence=MovementEvidence.OBSERVED,
        notes=note,
    )
    movement = add_record(node, actor, body)
    with node.store.transaction() as tx:
        log(tx, node, actor, "screening.confirm", [person.id, movement.id], query=source)
    return movement


def _sort_key(record: Record) -> tuple[str, str]:
    body = record.body
    assert isinstance(body, Movement)
    when = body.departure or body.arrival
    return (when.isoformat() if when else "9999", record.id)


def timeline(node: Node, actor: Actor, person_id: str) -> list[Record]:
    """The person's movements the actor may see, oldest first (undated ones last)."""
    viewer = node.viewer(actor)
    with node.store.transaction() as tx:
        if tx.records.get(viewer, person_id) is None:
            raise not_found(person_id)
        found = [
            r
            for direction, field, r in tx.records.linked(viewer, person_id)
            if direction == "in" and r.schema_name == "Movement" and field == "person"
        ]
        found.sort(key=_sort_key)
        log(tx, node, actor, "movement.timeline", [person_id, *(r.id for r in found)])
    return found
