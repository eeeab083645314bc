"""The demo node's cooperation story, played end to end on a loaded demo node.

The owner (IQ-CTS) holds a foreign fighter it shares with nobody, under ``hit-no-hit``, and watches him.
The screener (DE-BKA) screens a flight manifest on which he travels under another spelling: it sees only
"restricted hit, ask IQ-CTS" and asks in one step with the hit reference. The owner is told of the hit and
of the request, and grants it; the screener now sees the record, confirms the match at the border, and
the observed movement it records fires the owner's watch.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ictdb.model.actors import Actor
from ictdb.model.cooperation import AlertKind, Urgency, WatchTarget
from ictdb.model.errors import Conflict, NotFound
from ictdb.model.vocab import Role
from ictdb.services import records
from ictdb.services.cooperation import inbox, movements, requests, watches
from ictdb.services.cooperation.alerts import repo
from ictdb.services.demo_data import DemoNode, build_demo
from ictdb.services.directory import actor_for
from ictdb.services.node import Node
from ictdb.services.screening import query_of, read_rows
from ictdb.services.search import screen

__all__ = ["Step", "play_story"]


@dataclass(frozen=True, slots=True)
class Step:
    agency: str
    text: str


def _user(node: Node, demo: DemoNode, agency: str, role: Role) -> Actor:
    user = next(u for u in demo.users if u.agency == agency and role in u.roles)
    return actor_for(node, agency, user.username, origin="demo")


def play_story(node: Node, *, seed: int = 7) -> list[Step]:
    """Play the story on a node loaded with ``ictdb demo`` (same seed); returns what happened, step by step."""
    demo = build_demo(seed)
    story = demo.story
    owner, owner_chief = _user(node, demo, story.owner, Role.ANALYST), _user(node, demo, story.owner, Role.SUPERVISOR)
    screener = _user(node, demo, story.screener, Role.ANALYST)
    with node.store.transaction() as tx:
        held = tx.records.by_source(story.owner, [story.person_key])
    if story.person_key not in held:
        raise NotFound("the demo's story fighter is not on this node: load it with `ictdb demo` first")
    fighter = held[story.person_key]
    steps: list[Step] = []

    with node.store.transaction() as tx:
        watching = repo(tx).find_watch(story.owner, WatchTarget.RECORD, fighter.id)
    if watching is None:
        watches.add_watch(node, owner, fighter.id, note="foreign fighter: tell us where he travels")
    steps.append(Step(story.owner, f"watches {fighter.caption()} ({fighter.id}), shared with nobody, hit-no-hit"))

    rows = read_rows(io.BytesIO(demo.manifest_csv.encode()), "manifest.csv", "csv")
    queries = [(row, q) for row in rows if (q := query_of(row)) is not None]
    outcomes = screen(node, screener, [q for _, q in queries], source=f"manifest {story.flight}")
    row, outcome = next((r, o) for (r, _), o in zip(queries, outcomes, strict=True) if r.id == story.manifest_row)
    if story.owner not in outcome.hit_refs:
        raise Conflict(f"the screening did not report a restricted hit of {story.owner} on row {row.id}")
    hit = outcome.hit_refs[story.owner]
    seen = sum(1 for o in outcomes if o.matches)
    steps.append(
        Step(
            story.screener,
            f"screens {len(rows)} passengers of {story.flight}: {seen} visible matches; row {row.id} "
            f"({row.name}) is a restricted hit, ask {story.owner} (hit {hit})",
        )
    )

    request = requests.open_request(
        node,
        screener,
        hit_id=hit,
        justification=f"Passenger {row.name} on {story.flight} matched your record; he lands today.",
        urgency=Urgency.IMMEDIATE,
    )
    steps.append(Step(story.screener, f"requests information in one step: {request.id}, due {request.due_at:%H:%M}"))

    box = inbox.inbox(node, owner_chief, unread=True)
    told = [a for a in box.alerts if a.kind in (AlertKind.HIT, AlertKind.REQUEST_OPENED)]
    steps.append(Step(story.owner, f"is notified: {', '.join(sorted({a.kind.value for a in told}))}"))

    requests.grant_request(node, owner_chief, request.id, "Shared for the border check; handling H2.")
    seen_now = records.get_record(node, screener, fighter.id)
    steps.append(Step(story.owner, f"grants {request.id}; {story.screener} now sees {seen_now.caption()}"))

    movement = movements.confirm_screening_match(
        node,
        screener,
        fighter.id,
        row=row,
        source="manifest.csv",
        origin_country="TR",
        origin_place="Istanbul",
        destination_country="DE",
        destination_place="Frankfurt",
        point_of_entry="FRA",
        flight=story.flight.split()[0],
    )
    steps.append(
        Step(story.screener, f"confirms the match at the border: movement {movement.id} ({movement.caption()})")
    )

    fired = inbox.inbox(node, owner, kind=AlertKind.MOVEMENT.value, limit=10).alerts
    if not any(a.record_id == movement.id for a in fired):
        raise Conflict("the owner's watch did not fire on the recorded movement")
    steps.append(Step(story.owner, f"its watch fires: {fighter.caption()} observed travelling {movement.caption()}"))
    return steps
