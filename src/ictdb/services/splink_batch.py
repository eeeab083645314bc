"""Batch resolution of a large holding through Splink (DuckDB here; Spark takes the same settings).

The compared columns are ictdb's own normalized forms, so that a name in Arabic, Cyrillic or Latin script meets
its other spellings: the loose key and consonant skeleton of each record's first and last name part (from
``matching.analyze``), the birth date known to the day, and the document number key. Splink estimates the
weights (u by random sampling, m by expectation maximisation blocked on the name keys and on the birth date)
and scores the pairs its blocking rules produce. The node operator runs it; what it files is shown to each
viewer through the visibility filter, like any proposal (see ``services.resolution``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ictdb.matching import analyze
from ictdb.matching.pairs import PairScore, Profile
from ictdb.matching.score import document_key
from ictdb.model.actors import Actor
from ictdb.model.resolution import Pair
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services import resolution
from ictdb.services.node import Node
from ictdb.storage.resolution import Resolution

MIN_RECORDS = 50
"""Splink's training needs some volume; below this the live resolver is the tool."""


def _row(profile: Profile) -> dict[str, Any]:
    parts = analyze(profile.names[0]) if profile.names else ()
    first, last = (parts[0], parts[-1]) if parts else (None, None)
    day = next((d.text for d in profile.birth_dates if d.earliest == d.latest), None)
    documents = sorted(document_key(n) for _, _, n in profile.documents)
    return {
        "unique_id": profile.id,
        "first_key": first.key if first else None,
        "first_skeleton": first.skeletons[0] if first and first.skeletons else None,
        "last_key": last.key if last and len(parts) > 1 else None,
        "last_skeleton": last.skeletons[0] if last and len(parts) > 1 and last.skeletons else None,
        "birth_date": day,
        "document": documents[0] if documents else None,
    }


def splink_pairs(profiles: Mapping[str, Profile], threshold: float) -> dict[Pair, PairScore]:
    """Pairs Splink scores at or above ``threshold`` (a match probability), from ictdb's normalized keys."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    rows = [_row(p) for p in profiles.values() if p.names]
    if len(rows) < MIN_RECORDS:
        return {}
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_key", "last_key"),
            block_on("first_skeleton", "last_skeleton"),
            block_on("last_key", "birth_date"),
            block_on("first_key", "birth_date"),
            block_on("document"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("first_key", [0.92, 0.8]),
            cl.ExactMatch("first_skeleton"),
            cl.JaroWinklerAtThresholds("last_key", [0.92, 0.8]),
            cl.ExactMatch("last_skeleton"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("document"),
        ],
    )
    linker = Linker(DuckDBAPI().register(pa.Table.from_pylist(rows)), settings, log_level="ERROR")
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("first_key", "last_key"), block_on("birth_date")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    out: dict[Pair, PairScore] = {}
    for left, right, probability in (
        predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
    ):
        out[Pair.of(str(left), str(right))] = PairScore(
            round(float(probability), 4), {"splink": {"match_probability": round(float(probability), 4)}}
        )
    return out


def batch_resolve(node: Node, actor: Actor, *, threshold: float = 0.9) -> resolution.ResolveSummary:
    """The node operator's Splink run over every live person and group; files proposals like ``resolve``."""
    require(actor, Role.NODE_ADMIN, "a node-wide resolution run")
    started = time.perf_counter()
    with node.store.transaction() as tx:
        repo = Resolution(tx.connection)
        run_id = repo.start_run(actor.username, actor.agency, "splink", None, node.now())
        stored = [s.record for s, _ in tx.records.matchable(("Person",))]
    profiles = {r.id: p for r in stored if (p := resolution.profile_of(r)) is not None and p.names}
    found = splink_pairs(profiles, threshold)
    return resolution.file_pairs(
        node, actor, run_id, found, profiles, len(profiles), started, threshold, None, node_wide=True
    )
