"""``ictdb resolve``, ``ictdb judge``, ``ictdb proposals`` and ``ictdb cluster``: one picture of a person.

The resolution services load the matcher, so each command imports them when it runs: every other command of
``ictdb`` starts without it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from ictdb.cli.context import out, progress_bar, state
from ictdb.model.errors import ValidationError

cluster_app = typer.Typer(help="Clusters of records judged to be one person or group.", no_args_is_help=True)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO timestamp)", "since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resolve_cmd(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="compare only records written since (YYYY-MM-DD)")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="file pairs scoring at least this (default 0.7; --batch: 0.9)",
        ),
    ] = None,
    auto_above: Annotated[
        float | None, typer.Option("--auto-above", help="judge pairs scoring at least this `same` automatically")
    ] = None,
    node_wide: Annotated[
        bool, typer.Option("--node-wide", help="node operator's run over every record (node admins)")
    ] = False,
    batch: Annotated[
        bool,
        typer.Option("--batch", help="node operator's full pass over every person, by the batch model (node admins)"),
    ] = False,
) -> None:
    """Find candidate pairs of persons and groups, score them and file proposals, most likely first.

    Example: ictdb --as FR-DGSI resolve --threshold 0.7 --auto-above 0.97
    """
    from ictdb.services import resolution, splink_batch

    c = state(ctx)
    if batch:
        if since:
            raise ValidationError("a batch pass reads every person: use --since without --batch", "since")
        summary = splink_batch.batch_resolve(
            c.node(),
            c.actor(),
            threshold=splink_batch.PROPOSAL_THRESHOLD if threshold is None else threshold,
            auto_above=auto_above,
        )
    else:
        with progress_bar("resolving") as progress:
            summary = resolution.resolve(
                c.node(),
                c.actor(),
                since=_since(since),
                threshold=resolution.PROPOSAL_THRESHOLD if threshold is None else threshold,
                auto_above=auto_above,
                node_wide=node_wide,
                progress=progress,
            )

    def human() -> None:
        out.print(
            f"compared {summary.compared} of {summary.records} records in {summary.seconds:.1f}s: "
            f"{summary.proposals} proposals ({summary.new_proposals} new), {summary.auto_judged} judged automatically"
        )
        for refusal in summary.refused:
            left, right = refusal.forbidding.left, refusal.forbidding.right
            out.print(f"conflict: same {refusal.same.pair} not followed: {left} and {right} are judged not the same")

    c.emit(resolution.summary_data(summary), human)


def judge_cmd(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="a record id")],
    second: Annotated[str, typer.Argument(help="another record id")],
    verdict: Annotated[str | None, typer.Argument(help="same, not-same or unsure")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="withdraw the pair's current verdict")] = False,
) -> None:
    """Judge whether two records are one person or group; a new verdict supersedes the old, which stays.

    Example: ictdb --as JO-GID judge per-1a2b per-3c4d same --reason "same passport"
    """
    from ictdb.services import resolution

    c = state(ctx)
    if undo == (verdict is not None):
        raise ValidationError("give a verdict (same, not-same, unsure) or --undo", "verdict")
    if undo:
        outcome = resolution.undo(c.node(), c.actor(), first, second, reason)
    else:
        assert verdict is not None
        outcome = resolution.judge(c.node(), c.actor(), first, second, verdict, reason)

    def human() -> None:
        if outcome.judgement is None:
            p = outcome.previous
            assert p is not None
            out.print(f"unchanged: already judged {p.verdict.value} by {p.judge} ({p.agency}) at {p.at:%Y-%m-%d %H:%M}")
            return
        j = outcome.judgement
        line = f"judged {j.pair} {j.verdict.value} (#{j.id})"
        if outcome.previous is not None:
            line += f", superseding {outcome.previous.verdict.value} by {outcome.previous.judge}"
        out.print(line)
        for refusal in outcome.refused:
            left, right = refusal.forbidding.left, refusal.forbidding.right
            out.print(f"conflict: not clustered, because {left} and {right} are judged not the same")

    c.emit(resolution.outcome_data(outcome), human)


def judgements_cmd(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument()],
    second: Annotated[str, typer.Argument()],
) -> None:
    """Every judgement on a pair, oldest first. Example: ictdb judgements per-1a2b per-3c4d"""
    from ictdb.services import resolution

    c = state(ctx)
    history = resolution.pair_history(c.node(), c.actor(), first, second)

    def human() -> None:
        for j in history:
            out.print(
                f"#{j.id:<6} {j.at:%Y-%m-%d %H:%M} {j.verdict.value:<10} {j.judge:<18} {j.agency:<10} {j.reason or ''}"
            )

    c.emit([resolution.judgement_data(j) for j in history], human)


def proposals_cmd(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="judged ones too")] = False,
    min_score: Annotated[float, typer.Option("--min-score")] = 0.0,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    offset: Annotated[int, typer.Option("--offset")] = 0,
) -> None:
    """Proposals awaiting a judgement, most likely first. Example: ictdb --as FR-DGSI proposals --limit 20"""
    from ictdb.services import resolution

    c = state(ctx)
    page = resolution.list_proposals(
        c.node(), c.actor(), open_only=not all_, min_score=min_score, limit=limit, offset=offset
    )

    def human() -> None:
        for p in page.proposals:
            name = p.explanation.get("name", {})
            out.print(
                f"{p.score:.3f}  {p.pair.left:<18} {p.pair.right:<18} {p.verdict or 'open':<9} "
                f"{name.get('left', '')} ~ {name.get('right', '')}"
            )
        out.print(f"{page.total} in all")

    c.emit({"total": page.total, "proposals": [resolution.proposal_data(p) for p in page.proposals]}, human)


@cluster_app.command("show")
def cluster_show(ctx: typer.Context, record: Annotated[str, typer.Argument(help="any record of the cluster")]) -> None:
    """The consolidated profile of a record's cluster: every value with its owner and grading, conflicts side by
    side. Example: ictdb --as FR-DGSI cluster show per-1a2b"""
    from ictdb.services import resolution

    c = state(ctx)
    profile = resolution.consolidated_profile(c.node(), c.actor(), record)

    def human() -> None:
        out.print(f"cluster {profile.cluster.id}: {profile.cluster.size} records")
        for r in profile.records:
            out.print(f"  {r.id:<18} {r.owner:<12} {r.envelope.grading}  {r.caption()}")
        for field, values in profile.fields.items():
            shown = "; ".join(f"{v.value} [{v.owner} {v.grading}]" for v in values)
            out.print(f"{field}: {shown}")
        for field, values in profile.conflicts.items():
            out.print(f"CONFLICT {field}: " + "  |  ".join(f"{v.value} ({v.owner}, {v.record_id})" for v in values))
        for refusal in profile.cluster.refused:
            out.print(f"conflict: same {refusal.same.pair} not followed: not-same {refusal.forbidding}")

    c.emit(resolution.profile_data(profile), human)


@cluster_app.command("list")
def cluster_list(
    ctx: typer.Context,
    min_size: Annotated[int, typer.Option("--min-size")] = 2,
    limit: Annotated[int, typer.Option("--limit")] = 100,
) -> None:
    """Clusters of the records the acting agency sees. Example: ictdb --as FR-DGSI cluster list --min-size 3"""
    from ictdb.services import resolution

    c = state(ctx)
    found = resolution.clusters(c.node(), c.actor(), min_size=min_size, limit=limit)
    data = [{"id": m[0], "size": len(m), "members": list(m)} for m in found.clusters]

    def human() -> None:
        for d in data:
            out.print(f"{d['id']:<18} {d['size']:>5}")

    c.emit(data, human)


def register(app: typer.Typer) -> None:
    app.command("resolve")(resolve_cmd)
    app.command("judge")(judge_cmd)
    app.command("judgements")(judgements_cmd)
    app.command("proposals")(proposals_cmd)
    app.add_typer(cluster_app, name="cluster")
