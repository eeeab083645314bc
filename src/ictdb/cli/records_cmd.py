"""``ictdb record`` and ``ictdb review``: recording, reading and keeping records up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from ictdb.cli.context import out, state
from ictdb.cli.options import (
    DistributionOpt,
    GradingOpt,
    HandlingNoteOpt,
    HandlingOpt,
    HitPolicyOpt,
    JustificationOpt,
    PurposeOpt,
    ReviewByOpt,
    envelope_input,
    parse_day,
)
from ictdb.model.errors import ValidationError
from ictdb.model.records import BODY_TYPES
from ictdb.model.stored import Record, parse_body, record_to_data
from ictdb.services import records as svc

record_app = typer.Typer(help="Records: persons, groups and everything agencies know about them.", no_args_is_help=True)
review_app = typer.Typer(help="Records past their review date.", no_args_is_help=True)

SCHEMAS = {name.lower(): name for name in BODY_TYPES} | {"group-relation": "GroupRelation", "org": "Organization"}


def _schema(text: str) -> str:
    found = SCHEMAS.get(text.lower().replace("_", "-"))
    if not found:
        raise ValidationError(f"unknown record type {text!r}; one of {', '.join(BODY_TYPES)}", "type")
    return found


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    """``--set key=value``: the value is read as JSON when it parses, else as a string."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValidationError(f"expected key=value, got {pair!r}", "--set")
        try:
            data[key.strip()] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            data[key.strip()] = raw
    return data


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValidationError(f"{path}: {exc}", "--file") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: expected a JSON object", "--file")
    return data


def _show(record: Record) -> None:
    env = record.envelope
    out.print(f"{record.id}  {record.schema_name}  {record.caption()}")
    out.print(
        f"  owner {env.owner}  distribution {env.distribution}  handling {env.handling.value}  "
        f"hit-policy {env.hit_policy.value}  grading {env.grading}  purpose {env.purpose.value}  "
        f"review by {env.review_by}  version {record.version}"
    )
    body = record_to_data(record)
    for key, value in body.items():
        if key in {"id", "schema", "envelope", "version", "created_at", "updated_at", "created_by"}:
            continue
        out.print(f"  {key}: {orjson.dumps(value).decode() if not isinstance(value, str) else value}")


@record_app.command("add")
def record_add(
    ctx: typer.Context,
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="person, organization, membership, movement, ...")],
    name: Annotated[list[str] | None, typer.Option("--name", help="a name in any script; the first is primary")] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias")] = None,
    birth_date: Annotated[
        list[str] | None, typer.Option("--birth-date", help="1971-07-28, 1971, 1970/1975 or 1971~")
    ] = None,
    nationality: Annotated[list[str] | None, typer.Option("--nationality")] = None,
    gender: Annotated[str | None, typer.Option("--gender")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="any field as key=JSON value")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="the body as a JSON object")] = None,
    distribution: DistributionOpt = None,
    handling: HandlingOpt = None,
    handling_note: HandlingNoteOpt = None,
    hit_policy: HitPolicyOpt = None,
    grading: GradingOpt = None,
    purpose: PurposeOpt = None,
    justification: JustificationOpt = None,
    review_by: ReviewByOpt = None,
) -> None:
    """Record something, from flags or a JSON file.

    Example: ictdb record add person --name "Abu Bakr al-Baghdadi" --name "أبو بكر البغدادي"
    --birth-date 1971-07-28 --nationality IQ --distribution owner --json
    """
    c = state(ctx)
    schema = _schema(type_)
    data: dict[str, Any] = _read_json(file) if file else {}
    data["schema"] = schema
    names = [{"value": n, "kind": "primary" if i == 0 else "alias"} for i, n in enumerate(name or [])]
    names += [{"value": n, "kind": "alias"} for n in alias or []]
    if names:
        data["names"] = [*data.get("names", []), *names]
    if birth_date:
        data["birth_dates"] = birth_date
    if nationality:
        data["nationalities"] = nationality
    if gender:
        data["gender"] = gender
    data.update(_parse_sets(set_ or []))
    body = parse_body(data)
    envelope = envelope_input(
        distribution, handling, handling_note, hit_policy, grading, purpose, justification, review_by
    )
    record = svc.add_record(c.node(), c.actor(), body, envelope)
    c.emit(record_to_data(record), lambda: out.print(f"recorded {record.id}: {record.caption()}"))


@record_app.command("show")
def record_show(ctx: typer.Context, record_id: Annotated[str, typer.Argument()]) -> None:
    """Show one record with its envelope. Example: ictdb --as JO-GID record show per-3f9a0c1d2e4b"""
    c = state(ctx)
    record = svc.get_record(c.node(), c.actor(), record_id)
    c.emit(record_to_data(record), lambda: _show(record))


@record_app.command("list")
def record_list(
    ctx: typer.Context,
    schema: Annotated[str | None, typer.Option("--type", help="only this record type")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    text: Annotated[str | None, typer.Option("--text", help="caption contains")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    after: Annotated[
        str | None, typer.Option("--after", help="start after this record id (the last one listed): fast on any page")
    ] = None,
) -> None:
    """List the records the acting agency may see. Example: ictdb --as JO-GID record list --type person --limit 20"""
    c = state(ctx)
    page = svc.list_records(
        c.node(),
        c.actor(),
        schema=_schema(schema) if schema else None,
        owner=owner,
        text=text,
        limit=limit,
        offset=offset,
        after=after,
    )

    def human() -> None:
        for r in page.records:
            out.print(f"{r.id:<18} {r.schema_name:<13} {r.owner:<12} {r.caption()}")
        out.print(f"{len(page.records)} of {page.total}")

    c.emit({"total": page.total, "records": [record_to_data(r) for r in page.records]}, human)


@record_app.command("edit")
def record_edit(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument()],
    set_: Annotated[list[str] | None, typer.Option("--set", help="field=JSON value; replaces the field")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="fields to replace, as a JSON object")] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="refuse if the record is no longer at this version")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    distribution: DistributionOpt = None,
    handling: HandlingOpt = None,
    handling_note: HandlingNoteOpt = None,
    hit_policy: HitPolicyOpt = None,
    grading: GradingOpt = None,
    purpose: PurposeOpt = None,
    justification: JustificationOpt = None,
    review_by: ReviewByOpt = None,
) -> None:
    """Change a record's fields or envelope; the old version is kept.

    Example: ictdb record edit per-3f9a0c1d2e4b --set 'nationalities=["IQ","SY"]' --grading B2 --reason "new report"
    """
    c = state(ctx)
    changes = (_read_json(file) if file else {}) | _parse_sets(set_ or [])
    envelope = envelope_input(
        distribution, handling, handling_note, hit_policy, grading, purpose, justification, review_by
    )
    record = svc.edit_record(
        c.node(),
        c.actor(),
        record_id,
        changes=changes or None,
        envelope=envelope,
        expected_version=version,
        reason=reason,
    )
    c.emit(record_to_data(record), lambda: out.print(f"{record.id} is now at version {record.version}"))


@record_app.command("history")
def record_history(ctx: typer.Context, record_id: Annotated[str, typer.Argument()]) -> None:
    """Every version of a record, oldest first. Example: ictdb record history per-3f9a0c1d2e4b"""
    c = state(ctx)
    versions = svc.record_history(c.node(), c.actor(), record_id)
    data = [
        {
            "version": v.version,
            "change": v.change,
            "reason": v.reason,
            "changed_by": v.changed_by,
            "changed_at": v.changed_at.isoformat(),
            "body": v.body,
            "envelope": v.envelope,
        }
        for v in versions
    ]

    def human() -> None:
        for v in versions:
            out.print(f"v{v.version}  {v.changed_at:%Y-%m-%d %H:%M}  {v.change:<7} by {v.changed_by}  {v.reason or ''}")

    c.emit(data, human)


@record_app.command("delete")
def record_delete(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Delete a record (its history stays for the audit). Example: ictdb record delete per-3f9a0c1d2e4b --reason "duplicate" """
    c = state(ctx)
    svc.delete_record(c.node(), c.actor(), record_id, reason)
    c.emit({"deleted": record_id}, lambda: out.print(f"deleted {record_id}"))


@review_app.command("due")
def review_due(ctx: typer.Context) -> None:
    """The acting agency's records past their review date. Example: ictdb --as JO-GID review due"""
    c = state(ctx)
    found = svc.due_for_review(c.node(), c.actor())

    def human() -> None:
        for r in found:
            out.print(f"{r.id:<18} due {r.envelope.review_by}  {r.schema_name:<13} {r.caption()}")
        out.print(f"{len(found)} due")

    c.emit([record_to_data(r) for r in found], human)


@review_app.command("extend")
def review_extend(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument()],
    until: Annotated[str, typer.Option("--until", help="new review date, YYYY-MM-DD")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Keep a record for longer, saying why. Example: ictdb review extend per-3f9a0c1d2e4b --until 2031-01-01 --reason "active case" """
    c = state(ctx)
    record = svc.extend_review(c.node(), c.actor(), record_id, parse_day(until, "until"), reason)
    c.emit(record_to_data(record), lambda: out.print(f"{record.id} now due {record.envelope.review_by}"))


@review_app.command("delete")
def review_delete(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason")] = "no longer needed at review",
) -> None:
    """Delete a record at review. Example: ictdb review delete per-3f9a0c1d2e4b"""
    record_delete(ctx, record_id, reason)


def register(app: typer.Typer) -> None:
    app.add_typer(record_app, name="record")
    app.add_typer(review_app, name="review")
