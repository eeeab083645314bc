"""Ingest benchmark: import generated persons through ``ictdb import entities`` on SQLite and PostgreSQL.

For each backend it creates a fresh database, runs ``ictdb init``, then times ``ictdb import entities`` on a
generated file (persons in three scripts, with documents, organizations and memberships) and reports
records per second and the import process's peak memory. Then, on the loaded node, it times the record
listing with and without the visibility filter, as the owner and as another member agency, so the filter's
overhead is measured on the same data in the same run.

Usage: ``python benchmarks/ingest.py [--persons 100000] [--backends sqlite,postgresql] [--repeat 15]``
PostgreSQL needs a server on 127.0.0.1:5432 where the ``postgres`` role may create databases; the benchmark
drops and recreates the database ``ictdb_bench``.

Prints a table, writes ``benchmarks/out/ingest.json`` and replaces the "Ingest" section of
``benchmarks/RESULTS.md``. A benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ictdb.bootstrap import Settings, open_node
from ictdb.model.actors import Actor
from ictdb.policy.visibility import Viewer
from ictdb.services import records as record_service
from ictdb.services.audit import log
from ictdb.services.directory import actor_for
from ictdb.services.node import Node
from ictdb.storage.store import Tx
from ictdb.storage.tables import records as records_table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
ICTDB = ROOT / ".venv" / "bin" / "ictdb"
OWNER = "JO-BENCH"
OTHER = "FR-BENCH"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "ictdb_bench"
TARGET_RATE = 10_000
TARGET_OVERHEAD = 0.20
LIST_FIRST = "record list: first 100 and total"
LIST_LAST = "record list: last 100 (after an id) and total"

sys.path.insert(0, str(HERE))
from generate import generate_persons, write_jsonl  # noqa: E402


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    output: str
    cpu_seconds: float
    """User and system time of the command: less affected than wall time by other work on the machine."""


def run_measured(args: list[str]) -> Measured:
    """Run a command; its wall time and its own peak resident memory (from wait4, so only this child)."""
    log = OUT / "command.log"
    started = time.perf_counter()
    with log.open("w") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{output}")
    return Measured(seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def ictdb(url: str, *args: str) -> Measured:
    return run_measured([str(ICTDB), "--db", url, *args])


def fresh_database(backend: str) -> str:
    if backend == "sqlite":
        path = OUT / "ingest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{PG_SERVER}/{PG_DATABASE}"


def timed_pair(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds of ``repeat`` calls of each, after one warm-up call of each.

    The calls alternate, so that other work on the machine slows both alike rather than whichever ran then.
    """
    first()
    second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, into in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            fn()
            into.append(time.perf_counter() - started)
    return statistics.median(samples[0]), statistics.median(samples[1])


@dataclass
class Listing:
    viewer: str
    query: str
    filtered_ms: float
    unfiltered_ms: float

    @property
    def overhead(self) -> float:
        return self.filtered_ms / self.unfiltered_ms - 1 if self.unfiltered_ms else 0.0


@dataclass
class BackendResult:
    backend: str
    records: int
    import_seconds: float
    records_per_second: float
    peak_mb: float
    cpu_seconds: float
    reimport_seconds: float
    """The same file imported again into the loaded node: every record found unchanged, nothing written."""
    reimport_cpu_seconds: float
    init_seconds: float
    visible_to_owner: int
    visible_to_other: int
    cli_list_seconds: float
    listings: list[Listing] = field(default_factory=list)


def _page(node: Node, viewer: Viewer | None, offset: int, after: str | None = None) -> None:
    """The listing's page query alone, without the total and the audit write."""
    with node.store.transaction() as tx:
        tx.records.select_page(viewer, limit=100, offset=offset, after=after)


def _count_all(tx: Tx) -> int:
    query = select(func.count()).select_from(records_table).where(records_table.c.deleted_at.is_(None))
    return int(tx.connection.execute(query).scalar_one())


def _count(node: Node, viewer: Viewer | None) -> None:
    """The listing's total: every visible record counts, so this is where a filter tested on each row costs most."""
    with node.store.transaction() as tx:
        if viewer is not None:
            tx.records.count(viewer)
        else:
            _count_all(tx)


def _list(node: Node, actor: Actor, after: str | None) -> None:
    """What ``ictdb record list`` asks of the node: a page of 100, the total, and the audit event."""
    record_service.list_records(node, actor, limit=100, after=after)


def _list_unfiltered(node: Node, actor: Actor, after: str | None) -> None:
    """``_list`` without the filter: the same page query, total and audit event, in one transaction."""
    with node.store.transaction() as tx:
        found = tx.records.select_page(None, limit=100, after=after)
        total = _count_all(tx)
        log(tx, node, actor, "record.list", [r.id for r in found], detail={"total": total})


def _id_before_last_page(node: Node, total: int) -> str:
    with node.store.transaction() as tx:
        query = select(records_table.c.id).order_by(records_table.c.id).offset(max(0, total - 101)).limit(1)
        return str(tx.connection.execute(query).scalar_one())


def measure_listing(url: str, total: int, repeat: int) -> tuple[list[Listing], int, int]:
    """The record listing with and without the filter, as two viewers, on the same node in the same run."""
    node = open_node(Settings(database_url=url))
    results: list[Listing] = []
    counts = []
    last = max(0, total - 100)
    try:
        before_last = _id_before_last_page(node, total)
        for agency in (OWNER, OTHER):
            actor = actor_for(node, agency, None)
            viewer = node.viewer(actor)
            counts.append(record_service.count_records(node, actor))
            cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
                (LIST_FIRST, partial(_list, node, actor, None), partial(_list_unfiltered, node, actor, None)),
                (
                    LIST_LAST,
                    partial(_list, node, actor, before_last),
                    partial(_list_unfiltered, node, actor, before_last),
                ),
                ("page query, first 100", partial(_page, node, viewer, 0), partial(_page, node, None, 0)),
                (
                    f"page query, last 100 by offset {last:,}",
                    partial(_page, node, viewer, last),
                    partial(_page, node, None, last),
                ),
                (
                    "page query, last 100 after an id",
                    partial(_page, node, viewer, 0, before_last),
                    partial(_page, node, None, 0, before_last),
                ),
                ("count of all records", partial(_count, node, viewer), partial(_count, node, None)),
            ]
            for name, filtered, bare in cases:
                with_filter, without = timed_pair(filtered, bare, repeat)
                results.append(Listing(agency, name, with_filter * 1000, without * 1000))
    finally:
        node.store.close()
    return results, counts[0], counts[1]


def run_backend(backend: str, data: Path, lines: int, repeat: int) -> BackendResult:
    url = fresh_database(backend)
    print(f"[{backend}] init", file=sys.stderr)
    init = ictdb(url, "init", "--agency", OWNER, "--name", "Benchmark agency", "--country", "JO")
    ictdb(url, "agency", "create", OTHER, "--name", "Second benchmark agency", "--country", "FR")
    ictdb(url, "user", "create", "analyst.bench", "--agency", OTHER, "--role", "analyst")
    print(f"[{backend}] import entities {data.name} ({lines} records)", file=sys.stderr)
    imported = ictdb(url, "import", "entities", str(data))
    print(f"[{backend}] {imported.output.strip()}", file=sys.stderr)
    reimported = ictdb(url, "import", "entities", str(data))
    print(f"[{backend}] again: {reimported.output.strip()}", file=sys.stderr)
    if backend == "postgresql":
        # Autovacuum would gather planner statistics shortly after a bulk load; do it now rather than wait.
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={PG_DATABASE}", autocommit=True) as conn:
            conn.execute("ANALYZE")
    cli_list = ictdb(url, "--as", OTHER, "record", "list", "--limit", "100")
    print(f"[{backend}] listing, {repeat} runs per query", file=sys.stderr)
    listings, owner_sees, other_sees = measure_listing(url, lines, repeat)
    return BackendResult(
        backend=backend,
        records=lines,
        import_seconds=imported.seconds,
        records_per_second=lines / imported.seconds,
        peak_mb=imported.peak_mb,
        cpu_seconds=imported.cpu_seconds,
        reimport_seconds=reimported.seconds,
        reimport_cpu_seconds=reimported.cpu_seconds,
        init_seconds=init.seconds,
        visible_to_owner=owner_sees,
        visible_to_other=other_sees,
        cli_list_seconds=cli_list.seconds,
        listings=listings,
    )


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "load_before": round(os.getloadavg()[0], 1),
    }


def table(results: list[BackendResult]) -> str:
    rows = [
        "| backend | records | import s | records/s | import CPU s | peak MB | target | re-import s (CPU s) |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        verdict = "met" if r.backend != "sqlite" or r.records_per_second >= TARGET_RATE else "missed"
        target = f">= {TARGET_RATE:,}/s: {verdict}" if r.backend == "sqlite" else "-"
        rows.append(
            f"| {r.backend} | {r.records:,} | {r.import_seconds:.1f} | {r.records_per_second:,.0f} | "
            f"{r.cpu_seconds:.1f} | {r.peak_mb:.0f} | {target} | {r.reimport_seconds:.1f} ({r.reimport_cpu_seconds:.1f}) |"
        )
    rows += [
        "",
        "| backend | viewer (sees) | query | filtered ms | unfiltered ms | overhead |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        for item in r.listings:
            sees = r.visible_to_owner if item.viewer == OWNER else r.visible_to_other
            rows.append(
                f"| {r.backend} | {item.viewer} ({sees:,}) | {item.query} | {item.filtered_ms:.2f} | "
                f"{item.unfiltered_ms:.2f} | {item.overhead:+.0%} |"
            )
    return "\n".join(rows)


def write_results(results: list[BackendResult], info: dict[str, Any], persons: int) -> None:
    entries = []
    for result in results:
        entry = asdict(result)
        for listing, item in zip(entry["listings"], result.listings, strict=True):
            listing["overhead"] = item.overhead
        entries.append(entry)
    payload = {"machine": info, "persons": persons, "results": entries}
    (OUT / "ingest.json").write_text(json.dumps(payload, indent=2) + "\n")
    listing = [item for r in results for item in r.listings if item.query in (LIST_FIRST, LIST_LAST)]
    worst_listing = max((item.overhead for item in listing), default=0.0)
    worst = max((item.overhead for r in results for item in r.listings), default=0.0)
    verdict = "met" if worst_listing < TARGET_OVERHEAD else "missed"
    section = "\n".join(
        [
            "## Ingest",
            "",
            f"`make bench-ingest` on {info['date']}: {info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB memory, "
            f"Python {info['python']}. {persons:,} generated persons plus organizations and memberships, imported with "
            "`ictdb import entities` into a fresh database, one transaction (wall time of the whole command, start-up "
            "included; its user and system CPU time; peak resident memory of the import process), then the same "
            "file again into the loaded node (every record found unchanged: the idempotent re-import, wall and CPU "
            "time). Other work on the machine: load average "
            f"{info['load_before']} at the start, {info['load_after']} at the end.",
            "",
            table(results),
            "",
            f"Filter overhead target < {TARGET_OVERHEAD:.0%} on a `record list`: worst {worst_listing:+.0%} over both "
            f"`record list` rows, backends and viewers ({verdict}); worst of every row {worst:+.0%}. Times are medians "
            "in-process, filtered against the same statements without the visibility filter. The owner sees every "
            "record through the owner clause, the other agency through the `members` distribution. What each row "
            "measures: *record list* is what `ictdb record list` asks of the node (the page query, the total and the "
            "audit event, in one transaction), for the first page and for the last one reached with `--after` (the "
            "id of the last record listed before); *page query* is the page's SELECT alone, the last page reached "
            "with an offset too: an offset steps through every record before the page, testing the filter on each, "
            "so that row grows with the depth of the page; *count* is the total alone. Counting adds up index "
            "ranges of disjoint parts of the rule (`visible_parts` in storage/visibility.py) rather than testing "
            "each row.",
            "",
        ]
    )
    replace_section(RESULTS, "Ingest", section)


def replace_section(path: Path, title: str, section: str) -> None:
    """Put ``section`` in place of the ``## title`` section, leaving everyone else's sections as they are."""
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == f"## {title}"), None)
    if start is None:
        path.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    path.write_text("".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import throughput and visibility filter overhead.")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=15, help="runs per listing query (median reported)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md (for trial runs)")
    args = parser.parse_args(argv)
    if not ICTDB.exists():
        raise SystemExit(f"{ICTDB} not found: run `make install` first")
    OUT.mkdir(exist_ok=True)
    data = OUT / f"ingest-{args.persons}.jsonl"
    print(f"generating {args.persons} persons -> {data}", file=sys.stderr)
    lines = write_jsonl(generate_persons(args.persons, args.seed), data)
    info = machine() | {"date": datetime.now(UTC).strftime("%Y-%m-%d")}
    results = [run_backend(b.strip(), data, lines, args.repeat) for b in args.backends.split(",") if b.strip()]
    info["load_after"] = round(os.getloadavg()[0], 1)
    print(table(results))
    if not args.no_results:
        write_results(results, info, args.persons)
        print(f"\nwrote {OUT / 'ingest.json'} and the Ingest section of {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
