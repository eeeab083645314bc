"""``ictdb watch``, ``inbox``, ``hits``, ``request``, ``movement``, ``webhook``, ``deliver`` and ``demo-story``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from ictdb.cli.context import out, state
from ictdb.model.cooperation import Alert, InfoRequest, RequestState, Urgency, Watch, WatchTarget
from ictdb.model.errors import ImportFailed, NotFound, ValidationError
from ictdb.model.stored import Record, record_to_data
from ictdb.services.cooperation import inbox, movements, requests, watches, webhooks
from ictdb.services.directory import node_admin

watch_app = typer.Typer(help="Watch persons, groups and clusters: be alerted when partners record about them.")
request_app = typer.Typer(help="Requests for information between agencies.")
movement_app = typer.Typer(help="Movements: confirm screening matches, show a person's travel.")
webhook_app = typer.Typer(help="Where the agency's alerts are pushed.")


def _lines(texts: list[str]) -> Callable[[], None]:
    def human() -> None:
        for text in texts:
            out.print(text)

    return human


def _watch(w: Watch) -> dict[str, Any]:
    return {
        "id": w.id,
        "target": w.target,
        "kind": w.target_kind.value,
        "caption": w.caption,
        "note": w.note,
        "created_by": w.created_by,
        "created_at": w.created_at.isoformat(),
    }


def _alert(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "seq": a.seq,
        "kind": a.kind.value,
        "unread": a.unread,
        "created_at": a.created_at.isoformat(),
        "payload": a.payload,
    }


def _request(r: InfoRequest) -> dict[str, Any]:
    data = asdict(r)
    data["urgency"] = r.urgency.value
    data["state"] = r.state.value
    return data


def _summary(a: Alert) -> str:
    p = a.payload
    record = p.get("record") or {}
    watched = p.get("watched") or {}
    if a.kind.value == "hit":
        searcher = p.get("searcher", {})
        return f"{searcher.get('agency')} ({searcher.get('user')}) {p.get('action')} {p.get('query')!r} matched {record.get('caption')} ({p.get('score')})"
    if a.kind.value.startswith("request."):
        return f"request {p.get('request')} {p.get('state') or p.get('urgency') or ''} {p.get('text') or p.get('justification') or ''}".strip()
    if watched:
        return f"{watched.get('caption')}: {record.get('schema', '')} {record.get('caption', '')} by {p.get('by_agency')}".strip()
    return str({k: v for k, v in p.items() if k not in ("id", "kind", "agency", "at")})


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="a person or group record id, or a cluster id with --cluster")],
    cluster: Annotated[bool, typer.Option("--cluster", help="TARGET is a resolution cluster id")] = False,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Watch a person or group.

    Example: ictdb --as FR-DGSI watch add per-3f9a0c1d2e4b --note "returning fighter"
    """
    c = state(ctx)
    kind = WatchTarget.CLUSTER if cluster else WatchTarget.RECORD
    w = watches.add_watch(c.node(), c.actor(), target, kind=kind, note=note)
    c.emit(_watch(w), lambda: out.print(f"{w.id} watching {w.target} {w.caption or ''}"))


@watch_app.command("list")
def watch_list(ctx: typer.Context) -> None:
    """The agency's watches. Example: ictdb --as FR-DGSI watch list"""
    c = state(ctx)
    found = watches.list_watches(c.node(), c.actor())

    def human() -> None:
        for w in found:
            out.print(f"{w.id}  {w.target_kind.value:<7} {w.target:<18} {w.caption or ''}  {w.note or ''}")
        if not found:
            out.print("no watches")

    c.emit([_watch(w) for w in found], human)


@watch_app.command("remove")
def watch_remove(ctx: typer.Context, watch_id: str) -> None:
    """Stop watching. Example: ictdb --as FR-DGSI watch remove wat-0123456789abcdef"""
    c = state(ctx)
    watches.remove_watch(c.node(), c.actor(), watch_id)
    c.emit({"removed": watch_id}, lambda: out.print(f"removed {watch_id}"))


def inbox_cmd(
    ctx: typer.Context,
    unread: Annotated[bool, typer.Option("--unread", help="only unread alerts")] = False,
    kind: Annotated[str | None, typer.Option("--kind", help="e.g. watch.movement, hit, request.opened")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    mark_read: Annotated[bool, typer.Option("--mark-read", help="then mark everything shown as read")] = False,
) -> None:
    """The agency's alerts, newest first, with the unread count.

    Example: ictdb --as IQ-CTS inbox --unread
    """
    c = state(ctx)
    node, actor = c.node(), c.actor()
    box = inbox.inbox(node, actor, unread=unread, kind=kind, limit=limit)
    if mark_read and box.alerts:
        inbox.mark_read(node, actor, [a.id for a in box.alerts])

    def human() -> None:
        out.print(f"{box.unread} unread")
        for a in box.alerts:
            mark = "*" if a.unread else " "
            out.print(f"{mark} {a.created_at:%Y-%m-%d %H:%M} {a.kind.value:<18} {a.id}  {_summary(a)}")

    c.emit(
        {"unread": box.unread, "unread_by_kind": box.unread_by_kind, "alerts": [_alert(a) for a in box.alerts]}, human
    )


def hits_cmd(
    ctx: typer.Context,
    sent: Annotated[bool, typer.Option("--sent", help="the hit references our own searches were given")] = False,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    """Who matched our restricted records (supervisors), or with --sent the restricted hits we may ask about.

    Example: ictdb --as DE-BKA hits --sent
    """
    c = state(ctx)
    if sent:
        rows = requests.askable_hits(c.node(), c.actor(), limit)
        data = [{"hit": h, "owner": o, "query": q, "source": s, "at": at} for h, o, q, s, at in rows]
        c.emit(data, _lines([f"{d['hit']}  ask {d['owner']:<10} {d['query']}  {d['at']}" for d in data]))
        return
    found = inbox.hit_notices(c.node(), c.actor(), limit=limit)
    c.emit([_alert(a) for a in found], _lines([f"{a.created_at:%Y-%m-%d %H:%M} {_summary(a)}" for a in found]))


@request_app.command("open")
def request_open(
    ctx: typer.Context,
    justification: Annotated[str, typer.Option("--justification", "-j", help="why the information is needed")],
    to: Annotated[str | None, typer.Option("--to", help="the agency asked (implied by --record or --hit)")] = None,
    record: Annotated[str | None, typer.Option("--record", help="a record the agency may see")] = None,
    hit: Annotated[
        str | None, typer.Option("--hit", help="a restricted hit reference (see `ictdb hits --sent`)")
    ] = None,
    urgency: Annotated[Urgency, typer.Option("--urgency")] = Urgency.ROUTINE,
    handling: Annotated[str | None, typer.Option("--handling", help="handling code asked for: H0-H3")] = None,
) -> None:
    """Ask another agency for information.

    Example: ictdb --as DE-BKA request open --hit hit-0123456789abcdef -j "on flight TK1591 tonight" --urgency immediate
    """
    c = state(ctx)
    r = requests.open_request(
        c.node(),
        c.actor(),
        justification=justification,
        to=to,
        record_id=record,
        hit_id=hit,
        urgency=urgency,
        handling_asked=handling,
    )
    c.emit(
        _request(r),
        lambda: out.print(f"{r.id} to {r.to_agency}, {r.urgency.value}, answer due {r.due_at:%Y-%m-%d %H:%M}"),
    )


@request_app.command("list")
def request_list(
    ctx: typer.Context,
    box: Annotated[str, typer.Option("--box", help="all, sent or received")] = "all",
    state_: Annotated[str | None, typer.Option("--state", help="open, granted, partially-granted, declined")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
) -> None:
    """Requests the agency sent or received. Example: ictdb --as IQ-CTS request list --box received --state open"""
    c = state(ctx)
    found = requests.list_requests(c.node(), c.actor(), box=box, state=state_, limit=limit)

    def human() -> None:
        for r in found:
            out.print(
                f"{r.id}  {r.from_agency} -> {r.to_agency}  {r.state.value:<18} {r.urgency.value:<9} due {r.due_at:%Y-%m-%d %H:%M}  {r.justification[:60]}"
            )
        if not found:
            out.print("no requests")

    c.emit([_request(r) for r in found], human)


@request_app.command("show")
def request_show(ctx: typer.Context, request_id: str) -> None:
    """A request with its whole thread. Example: ictdb --as IQ-CTS request show req-0123456789abcdef"""
    c = state(ctx)
    r = requests.show_request(c.node(), c.actor(), request_id)

    def human() -> None:
        out.print(
            f"{r.id}  {r.from_agency} -> {r.to_agency}  {r.state.value}  {r.urgency.value}, due {r.due_at:%Y-%m-%d %H:%M}"
        )
        if r.record_ids:
            out.print(f"records: {', '.join(r.record_ids)}")
        for m in r.thread:
            out.print(f"  {m.at:%Y-%m-%d %H:%M} {m.agency} {m.username} [{m.kind}] {m.text or ''}")

    c.emit(_request(r), human)


CopyOpt = Annotated[
    bool, typer.Option("--copy", help="send copies under our handling code instead of sharing the records")
]


def _answer(
    ctx: typer.Context,
    request_id: str,
    decision: RequestState,
    text: str | None,
    record_ids: list[str] | None = None,
    copy: bool = False,
) -> None:
    c = state(ctx)
    r = requests.answer_request(c.node(), c.actor(), request_id, decision, text=text, record_ids=record_ids, copy=copy)
    c.emit(_request(r), lambda: out.print(f"{r.id} {r.state.value}"))


@request_app.command("grant")
def request_grant(
    ctx: typer.Context,
    request_id: str,
    text: Annotated[str | None, typer.Option("--text")] = None,
    copy: CopyOpt = False,
) -> None:
    """Grant: the asking agency may now see the records asked about (or, with --copy, copies of them that
    keep our envelope and handling code, seen by the asking agency alone).

    Example: ictdb --as IQ-CTS:supervisor.iq request grant req-0123456789abcdef --copy
    """
    _answer(ctx, request_id, RequestState.GRANTED, text, copy=copy)


@request_app.command("partial")
def request_partial(
    ctx: typer.Context,
    request_id: str,
    text: Annotated[str, typer.Option("--text", help="what is shared in answer")],
    record: Annotated[list[str] | None, typer.Option("--record", help="a record to share (repeat)")] = None,
    copy: CopyOpt = False,
) -> None:
    """Grant in part: a written answer, and perhaps some of the records (or copies of them, with --copy).

    Example: ictdb --as IQ-CTS request partial req-0123456789abcdef --text "known to us, travelling alone"
    """
    _answer(ctx, request_id, RequestState.PARTIAL, text, record or [], copy=copy)


@request_app.command("decline")
def request_decline(ctx: typer.Context, request_id: str, reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Decline with a reason. Example: ictdb --as IQ-CTS request decline req-0123456789abcdef --reason "source protection" """
    _answer(ctx, request_id, RequestState.DECLINED, reason)


@request_app.command("comment")
def request_comment(ctx: typer.Context, request_id: str, text: str) -> None:
    """Add to a request's thread. Example: ictdb --as DE-BKA request comment req-0123456789abcdef "he landed" """
    c = state(ctx)
    r = requests.comment(c.node(), c.actor(), request_id, text)
    c.emit(_request(r), lambda: out.print(f"{r.id}: {len(r.thread)} messages"))


def _record(record: Record) -> dict[str, Any]:
    return record_to_data(record)


@movement_app.command("confirm")
def movement_confirm(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(help="the matched person's record id")],
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="the screened manifest, for the row's travel details")
    ] = None,
    row: Annotated[str | None, typer.Option("--row", help="the manifest row's id")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or paxlst")] = "csv",
    from_: Annotated[str | None, typer.Option("--from", help="origin country (ISO alpha-2)")] = None,
    to: Annotated[str | None, typer.Option("--to", help="destination country (ISO alpha-2)")] = None,
    entry: Annotated[str | None, typer.Option("--entry", help="point of entry")] = None,
    flight: Annotated[str | None, typer.Option("--flight")] = None,
    departure: Annotated[datetime | None, typer.Option("--departure")] = None,
    arrival: Annotated[datetime | None, typer.Option("--arrival")] = None,
) -> None:
    """Confirm a screening match: record the person's observed movement, owned by the acting agency.

    Example: ictdb --as DE-BKA movement confirm per-3f9a0c1d2e4b --manifest manifest.csv --row PAX007 --from TR --to DE
    """
    from ictdb.services import screening  # the matcher: loaded by the commands that match

    c = state(ctx)
    found = None
    if manifest is not None:
        if not row:
            raise ValidationError("name the manifest row with --row", "row")
        try:
            with manifest.open("rb") as stream:
                rows = screening.read_rows(stream, str(manifest), fmt)
        except OSError as exc:
            raise ImportFailed(exc.strerror or str(exc), file=str(manifest)) from None
        found = next((r for r in rows if r.id == row), None)
        if found is None:
            raise NotFound(f"no row {row} in {manifest}")
    movement = movements.confirm_screening_match(
        c.node(),
        c.actor(),
        record_id,
        row=found,
        source=manifest.name if manifest else None,
        origin_country=from_,
        destination_country=to,
        point_of_entry=entry,
        flight=flight,
        departure=departure,
        arrival=arrival,
    )
    c.emit(_record(movement), lambda: out.print(f"recorded {movement.id}: {movement.caption()}"))


@movement_app.command("timeline")
def movement_timeline(ctx: typer.Context, person_id: str) -> None:
    """A person's movements the acting agency may see, oldest first. Example: ictdb --as DE-BKA movement timeline per-3f9a0c1d2e4b"""
    c = state(ctx)
    found = movements.timeline(c.node(), c.actor(), person_id)

    def human() -> None:
        for m in found:
            body = record_to_data(m)
            when = body.get("departure") or body.get("arrival") or "undated"
            out.print(
                f"{when:<25} {m.caption():<10} {body.get('flight') or '':<8} {body.get('evidence')} ({m.owner}, {m.id})"
            )
        if not found:
            out.print("no movements")

    c.emit([_record(m) for m in found], human)


@webhook_app.command("add")
def webhook_add(ctx: typer.Context, url: str) -> None:
    """Push the agency's alerts to URL (the signing secret is shown once). Example: ictdb --as FR-DGSI webhook add https://soc.example.org/ictdb"""
    c = state(ctx)
    hook, secret = webhooks.add_webhook(c.node(), c.actor(), url)
    c.emit(
        {"id": hook.id, "url": hook.url, "secret": secret},
        lambda: out.print(f"{hook.id} -> {hook.url}\nsigning secret (shown once): {secret}"),
    )


@webhook_app.command("list")
def webhook_list(ctx: typer.Context) -> None:
    """The agency's webhooks with delivered, pending and given-up counts. Example: ictdb --as FR-DGSI webhook list"""
    c = state(ctx)
    found = webhooks.list_webhooks(c.node(), c.actor())
    data = [
        {k: v for k, v in asdict(h).items() if k != "created_at"} | {"created_at": h.created_at.isoformat()}
        for h in found
    ]
    c.emit(
        data,
        _lines(
            [
                f"{h.id} {'active ' if h.active else 'removed'} {h.url}  delivered {h.delivered}, pending {h.pending}, gave up {h.failed}"
                for h in found
            ]
        ),
    )


@webhook_app.command("remove")
def webhook_remove(ctx: typer.Context, hook_id: str) -> None:
    """Stop a webhook. Example: ictdb --as FR-DGSI webhook remove whk-0123456789abcdef"""
    c = state(ctx)
    webhooks.remove_webhook(c.node(), c.actor(), hook_id)
    c.emit({"removed": hook_id}, lambda: out.print(f"removed {hook_id}"))


@webhook_app.command("allow-private")
def webhook_allow_private(ctx: typer.Context, allowed: Annotated[bool, typer.Argument(help="true or false")]) -> None:
    """Let webhooks target private, loopback and link-local addresses (a closed network). Node administrators.

    Example: ictdb webhook allow-private true
    """
    c = state(ctx)
    webhooks.set_private_targets(c.node(), c.actor(), allowed)
    c.emit(
        {"allow_private": allowed}, lambda: out.print(f"private webhook targets {'allowed' if allowed else 'refused'}")
    )


def deliver_cmd(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="one pass, then exit")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64)] = 8,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds per push")] = 10.0,
    max_attempts: Annotated[int, typer.Option("--max-attempts", min=1, max=50)] = 8,
    base_delay: Annotated[float, typer.Option("--base-delay", help="first back-off, seconds")] = 30.0,
    lease: Annotated[float, typer.Option("--lease", help="seconds a claimed push is reserved")] = 120.0,
    idle: Annotated[float, typer.Option("--idle", help="seconds to wait when nothing is due")] = 1.0,
) -> None:
    """Push the outbox to webhooks (at least once, signed, with back-off) and remind owners of overdue requests.

    Example: ictdb deliver            (runs until stopped)
             ictdb deliver --once     (one pass, for cron)
    """
    from ictdb.services.cooperation import delivery  # an HTTP client: loaded by the one command that pushes

    c = state(ctx)
    node = c.node()
    node_admin(node)  # a clear error on an uninitialised node
    policy = delivery.DeliveryPolicy(
        max_attempts=max_attempts,
        base_delay=timedelta(seconds=base_delay),
        timeout=timeout,
        lease=timedelta(seconds=lease),
        workers=workers,
    )
    if once:
        report = delivery.deliver_once(node, policy=policy)
        c.emit(asdict(report), lambda: out.print(", ".join(f"{k} {v}" for k, v in asdict(report).items())))
        return
    stop = threading.Event()
    try:
        delivery.run(node, policy=policy, stop=stop, idle=idle)
    except KeyboardInterrupt:
        stop.set()


def demo_story_cmd(ctx: typer.Context) -> None:
    """Play the demo's cooperation story on a demo node: screen, restricted hit, request, grant, movement, alert.

    Example: ictdb demo && ictdb demo-story
    """
    from ictdb.services.cooperation.story import play_story

    c = state(ctx)
    steps = play_story(c.node())
    c.emit([asdict(s) for s in steps], _lines([f"{i}. [{s.agency}] {s.text}" for i, s in enumerate(steps, 1)]))


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
    app.command("inbox")(inbox_cmd)
    app.command("hits")(hits_cmd)
    app.add_typer(request_app, name="request")
    app.add_typer(movement_app, name="movement")
    app.add_typer(webhook_app, name="webhook")
    app.command("deliver")(deliver_cmd)
    app.command("demo-story")(demo_story_cmd)
