"""``ictdb audit``: the tamper-evident trail of every read and write."""

from __future__ import annotations

from typing import Annotated

import typer

from ictdb.cli.context import out, state
from ictdb.model.errors import IntegrityError
from ictdb.services import audit
from ictdb.services.audit import AuditEvent

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


def _data(e: AuditEvent) -> dict[str, object]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat() if e.at else None,
        "username": e.username,
        "agency": e.agency,
        "action": e.action,
        "record_ids": list(e.record_ids),
        "query": e.query,
        "outcome": e.outcome,
        "origin": e.origin,
        "detail": e.detail,
    }


def _print(events: list[AuditEvent]) -> None:
    for e in events:
        ids = ",".join(e.record_ids[:5]) + ("..." if len(e.record_ids) > 5 else "")
        out.print(
            f"{e.seq:>7} {e.at:%Y-%m-%d %H:%M:%S} {e.agency:<12} {e.username:<18} {e.action:<16} {e.outcome:<9} {ids} {e.query or ''}"
        )


@audit_app.command("log")
def audit_log(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user")] = None,
    action: Annotated[str | None, typer.Option("--action")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    """Recent events of the acting agency's users (all, for the node admin). Example: ictdb audit log --limit 20"""
    c = state(ctx)
    events = audit.agency_log(c.node(), c.actor(), username=user, action=action, limit=limit)
    c.emit([_data(e) for e in events], lambda: _print(events))


@audit_app.command("accesses")
def audit_accesses(
    ctx: typer.Context,
    record: Annotated[str | None, typer.Option("--record")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    """Who in other agencies read or matched the acting agency's records. Example: ictdb --as JO-GID audit accesses"""
    c = state(ctx)
    events = audit.accesses_to_mine(c.node(), c.actor(), record_id=record, limit=limit)
    c.emit([_data(e) for e in events], lambda: _print(events))


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Check the hash chain; exits non-zero and names each broken event. Example: ictdb audit verify"""
    c = state(ctx)
    result = audit.verify(c.node(), c.actor())
    data = {
        "checked": result.checked,
        "ok": result.ok,
        "breaks": [{"seq": b.seq, "problem": b.problem} for b in result.breaks],
    }
    c.emit(data, lambda: out.print(f"{result.checked} events checked: " + ("chain intact" if result.ok else "BROKEN")))
    if not result.ok:
        raise IntegrityError("; ".join(b.problem for b in result.breaks[:20]))


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
