"""Resolution on a node of a million persons: the full pass, then an incremental one after 1,000 new records.

Called by ``benchmarks/resolution.py`` (``--node-records N``, ``--only-node``). Steps, each timed apart:

1. Records: ``generate_persons`` (benchmarks/generate.py) gives the persons (its organizations and
   memberships are left out: the figure is about persons); each is owned by one of four agencies, and one
   person in eleven is recorded a second time by another agency, as agencies do: the other agency leads with
   another of the person's names (often another script), keeps the birth date (or only its year, or mistypes
   the day), keeps the passport half of the time and drops some aliases. Those pairs are the answer key.
2. Import into a fresh SQLite node through the services, one JSON Lines file per agency and share (reported
   apart: it is the import's speed, not resolution's).
3. Full pass: the node operator's batch run (``splink_batch.batch_resolve``, what ``ictdb resolve --batch``
   does): every live person read from the node, scored by the batch model, clustered, pairs filed as
   proposals and pairs inside a cluster above the confidence judged ``same`` automatically.
4. 1,000 new records (half of them a further record of a known person, half new persons) imported by one
   agency, then the incremental pass ``resolve --since`` as the node operator (``node_wide``): warm, with the
   live name index already built (a running node), and cold, from a fresh process state that builds the index.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ictdb.bootstrap import Settings, open_node
from ictdb.model.actors import Actor, Agency, User
from ictdb.model.resolution import Pair
from ictdb.model.vocab import Role
from ictdb.services import directory, resolution, splink_batch, transfer
from ictdb.services.name_index import live_index
from ictdb.services.node import Node
from ictdb.storage import tables as t

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
from generate import generate_persons, write_jsonl  # noqa: E402

AGENCIES = {"FR-DGSI": "FR", "JO-GID": "JO", "IQ-CTS": "IQ", "DE-BKA": "DE"}
DUPLICATE_EVERY = 11
"""One person in this many has a second record at another agency."""
NEW_RECORDS = 1000
FILE_RECORDS = 200_000
"""Records per imported file (the import takes files of at most 256 MB)."""
AUTO_ABOVE = 0.99
"""The full pass judges pairs inside one of its clusters at or above this match probability ``same``."""


def _owner(person_id: str) -> str:
    codes = sorted(AGENCIES)
    return codes[hashlib.sha256(person_id.encode()).digest()[0] % len(codes)]


def _variant(person: dict[str, Any], rng: random.Random, new_id: str, owner: str) -> dict[str, Any]:
    """How another agency records the same person."""
    names = list(person["names"])
    if len(names) > 1:
        lead = rng.randrange(1, len(names))
        names = [names[lead], *names[:lead], *names[lead + 1 :]]
        if len(names) > 2 and rng.random() < 0.5:
            names = names[:2]
    copy: dict[str, Any] = {"id": new_id, "schema": "Person", "names": names}
    for born in person.get("birth_dates", [])[:1]:
        roll = rng.random()
        if len(born) == 10 and roll < 0.25:
            born = born[:4]
        elif len(born) == 10 and roll < 0.35:
            day = date.fromisoformat(born) + timedelta(days=rng.choice((-1, 1)))
            born = day.isoformat()
        copy["birth_dates"] = [born]
    for key in ("nationalities", "gender"):
        if key in person:
            copy[key] = person[key]
    if person.get("documents") and rng.random() < 0.5:
        copy["documents"] = person["documents"]
    copy["_owner"] = owner
    return copy


def persons(total: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    """``total`` person lines, each with its ``_owner`` agency; a duplicate also names ``_of``, its original."""
    rng = random.Random(seed)
    base = total - total // DUPLICATE_EVERY
    made = 0
    for line in generate_persons(base, seed):
        if line["schema"] != "Person":
            continue
        owner = _owner(line["id"])
        yield {**line, "_owner": owner}
        made += 1
        if made % (DUPLICATE_EVERY - 1) == 0 and made // (DUPLICATE_EVERY - 1) <= total - base:
            other = rng.choice([c for c in sorted(AGENCIES) if c != owner])
            yield {**_variant(line, rng, f"D{made:07d}", other), "_of": line["id"]}


def new_records(known: list[dict[str, Any]], seed: int = 12) -> list[dict[str, Any]]:
    """1,000 records: half a further record of a known person, half new persons (ids N...)."""
    rng = random.Random(seed)
    out = [
        {**_variant(p, rng, f"R{i:07d}", "DE-BKA"), "_of": p["id"]}
        for i, p in enumerate(rng.sample(known, NEW_RECORDS // 2))
    ]
    fresh = [line for line in generate_persons(NEW_RECORDS - len(out), seed + 1) if line["schema"] == "Person"]
    out += [{**line, "id": f"N{i:07d}", "_owner": "DE-BKA"} for i, line in enumerate(fresh)]
    return out


@dataclass
class NodeFigures:
    records: int
    duplicates: int
    steps: list[tuple[str, float, str]] = field(default_factory=list)
    load: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)

    def timed(self, what: str, fn: Callable[[], Any], detail: Callable[[Any], str] = lambda _: "") -> Any:
        self.load.append((what, os.getloadavg()))
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
        self.steps.append((what, seconds, detail(result)))
        print(f"node: {what}: {seconds:.1f}s {self.steps[-1][2]}", flush=True)
        return result


def _import(node: Node, actors: dict[str, Actor], lines: list[dict[str, Any]], tag: str) -> int:
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_owner.setdefault(line["_owner"], []).append({k: v for k, v in line.items() if not k.startswith("_")})
    count = 0
    for owner, items in sorted(by_owner.items()):
        for start in range(0, len(items), FILE_RECORDS):
            path = OUT / f"resolution-node-{tag}-{owner}-{start}.jsonl"
            write_jsonl(iter(items[start : start + FILE_RECORDS]), path)
            count += len(transfer.import_entities(node, actors[owner], path).created)
            path.unlink()
    return count


def _source_ids(node: Node) -> dict[str, str]:
    """Source line id -> record id."""
    ident = t.record_identifiers.c
    with node.store.transaction() as tx:
        rows = tx.connection.execute(select(ident.value, ident.record_id).where(ident.scheme == "source-id"))
        return {value: record_id for value, record_id in rows}


def _quality(found: set[Pair], truth: set[Pair]) -> str:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    return f"answer-key pairs found {hits:,} of {len(truth):,} (recall {recall:.3f}), precision {precision:.3f}"


def run_node(total: int) -> tuple[NodeFigures, list[str]]:
    OUT.mkdir(exist_ok=True)
    path = OUT / "resolution-node.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    node = open_node(Settings(database_url=url), id_seed=7)
    home, *others = AGENCIES
    directory.init_node(node, home, f"{home} agency", AGENCIES[home])
    admin = directory.node_admin(node)
    for code in others:
        directory.create_agency(node, admin, Agency(code=code, name=f"{code} agency", country=AGENCIES[code]))
    for code in AGENCIES:
        user = User(username=f"analyst.{code.lower()}", agency=code, roles=frozenset({Role.ANALYST}))
        directory.create_user(node, admin, user, "correct horse battery")
    actors = {code: directory.actor_for(node, code) for code in AGENCIES}

    lines = list(persons(total))
    duplicates = [line for line in lines if "_of" in line]
    figures = NodeFigures(len(lines), len(duplicates))
    figures.timed("import", lambda: _import(node, actors, lines, "base"), lambda n: f"{n:,} records")
    ids = _source_ids(node)
    truth = {Pair.of(ids[d["id"]], ids[d["_of"]]) for d in duplicates}

    full = figures.timed(
        "full pass (batch)",
        lambda: splink_batch.batch_resolve(node, admin, auto_above=AUTO_ABOVE),
        lambda s: f"{s.proposals:,} proposals, {s.auto_judged:,} judged same automatically",
    )
    with node.store.transaction() as tx:
        J = t.resolution_judgements.c
        judged = {Pair(a, b) for a, b in tx.connection.execute(select(J.left_id, J.right_id))}
        P = t.resolution_proposals.c
        proposed = {Pair(a, b) for a, b in tx.connection.execute(select(P.left_id, P.right_id))}
    quality = [f"proposals: {_quality(proposed, truth)}", f"automatic `same`: {_quality(judged, truth)}"]
    figures.timed("name index build (cold)", lambda: live_index(node), lambda i: f"{len(i):,} entries")

    known = [line for line in lines if "_of" not in line]
    fresh = new_records(known)
    since = node.now()
    figures.timed("import of 1,000 new records", lambda: _import(node, actors, fresh, "new"), lambda n: f"{n:,}")
    ids = _source_ids(node)
    new_truth = {Pair.of(ids[d["id"]], ids[d["_of"]]) for d in fresh if "_of" in d}

    def incremental() -> resolution.ResolveSummary:
        return resolution.resolve(node, admin, since=since, node_wide=True)

    warm = figures.timed(
        "incremental pass, warm index",
        incremental,
        lambda s: f"{s.compared:,} compared, {s.proposals:,} proposals ({s.new_proposals:,} new)",
    )
    node.store.close()
    node = open_node(Settings(database_url=url), id_seed=8)
    admin = directory.node_admin(node)
    figures.timed(
        "incremental pass, cold (fresh process state)",
        incremental,
        lambda s: f"{s.compared:,} compared, {s.proposals:,} proposals",
    )
    with node.store.transaction() as tx:
        P = t.resolution_proposals.c
        rows = tx.connection.execute(select(P.left_id, P.right_id, P.updated_at))
        refreshed = {Pair(a, b) for a, b, _ in rows}
    node.store.close()
    quality.append(f"incremental proposals: {_quality(refreshed & _touching(refreshed, ids, fresh), new_truth)}")
    del full, warm
    return figures, quality


def _touching(pairs: set[Pair], ids: dict[str, str], fresh: list[dict[str, Any]]) -> set[Pair]:
    new = {ids[line["id"]] for line in fresh}
    return {p for p in pairs if p.left in new or p.right in new}
