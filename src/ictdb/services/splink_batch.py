"""Batch resolution of a large holding: a Fellegi-Sunter model run through Splink on DuckDB, over our own columns.

The compared columns are ictdb's normalized forms (``matching.columns``): name parts analyzed and
transliterated into Latin loose keys and consonant skeletons, so that Arabic, Cyrillic and Latin spellings
meet; the name compared part by part, order-free (sorted parts, shared parts, first and last swapped);
the birth date to the day, near the day, to the year and within a few years; birth place, address and its
area, title or occupation, gender and document number. Exact agreement on names, places and titles is
weighed by how common the value is (term-frequency adjustments).

Training: the share of matching pairs from deterministic rules, u probabilities by random sampling, m
probabilities by expectation maximisation on two blocking rules (names; birth date), so that every
comparison is trained on pairs not blocked on it. Prediction blocks on our keys. The pairs Splink finds
above ``threshold`` are then clustered by ``matching.linkage``, which refuses merges a not-same judgement
forbids, merges whose records' birth years conflict, and weakly linked merges of groups (no chaining).

The node operator runs it; what it files is shown to each viewer through the visibility filter, like any
proposal (see ``services.resolution``). Spark: see docs/resolution.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ictdb.matching.columns import COLUMNS, row_of
from ictdb.matching.linkage import Edge, link
from ictdb.matching.pairs import PairScore, Profile
from ictdb.model.actors import Actor
from ictdb.model.resolution import Pair
from ictdb.model.vocab import Role
from ictdb.policy.roles import require
from ictdb.services import resolution
from ictdb.services.node import Node
from ictdb.storage.resolution import Resolution

MIN_RECORDS = 50
"""Splink's training needs some volume; below this the live resolver is the tool."""
LINK_THRESHOLD = 0.3
"""Match probability at or above which a pair may link two clusters (merges also need ``linkage.SUPPORT``)."""
SUPPORT_FLOOR = 0.02
"""Pairs scored at least this count towards the support of a merge; lower ones count as 0."""
PROPOSAL_THRESHOLD = 0.9
"""Pairs filed as proposals for analysts by ``batch_resolve``."""
SAMPLE_PAIRS = 1e5
"""Random pairs for estimating u probabilities."""
EM_PAIRS = 2e5
"""At most this many blocked pairs per expectation-maximisation session (a common birth date blocks millions)."""


MAX_BLOCK = 300
"""A blocking rule proposes no pair from a block of more records than this (for a rule across two columns, more
records on either side): "Mohammed Ahmed" born in 1985 is thousands of records in a large holding, and
comparing each with each tells nothing the rules on more details do not. In the resolution benchmark's
50,000 records one block passes it (542 records named only "Baronet"); leaving it out moved no figure by
more than 0.001."""

_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...] = (
    (("first_key", "last_key"), None),
    (("first_formal", "last_key"), None),
    (("first_skeleton", "last_skeleton"), None),
    (("sorted_keys",), None),
    (("last_key", "birth_date"), None),
    (("first_key", "birth_date"), None),
    (("first_key", "address"), None),
    (("first_key", "address_area"), None),
    (("first_key", "address_area"), ("last_key", "address_area")),
    (("last_key", "address_area"), ("first_key", "address_area")),
    (("first_key", "birth_year"), ("last_key", "birth_year")),
    (("last_key", "birth_year"), ("first_key", "birth_year")),
    (("last_key", "address"), None),
    (("birth_date", "birth_place"), None),
    (("address_area", "birth_date"), None),
    (("address_area", "last_key"), None),
    (("substr(first_key, 1, 2)", "substr(last_key, 1, 2)", "birth_year"), None),
    (("last_key", "birth_year"), None),
    (("first_formal", "address_area"), None),
    (("last_skeleton", "address_area"), None),
    (("last_key", "birth_place"), None),
    (("last_key", "title"), None),
    (("last_skeleton", "birth_year"), None),
    (("first_formal", "birth_place"), None),
    (("birth_place", "birth_year"), None),
    (("address_area", "title"), None),
    (("first_skeleton", "address_area"), None),
    (("document",), None),
)
"""Prediction's blocking rules: a pair is compared when its two records agree on every expression of a rule
(the left record's expressions against the right one's, for a rule across columns: a one-word name against
the other's first or last part)."""


_COLUMN = re.compile(r"\b(" + "|".join(COLUMNS) + r")\b")


def _side(expression: str, side: str) -> str:
    """``substr(first_key, 1, 2)`` as the left record's: ``substr(l.first_key, 1, 2)``."""
    return _COLUMN.sub(lambda m: f"{side}.{m.group(1)}", expression)


def _blocked(connection: Any, table: Any) -> tuple[Any, list[str]]:
    """The rows, with the size of their block for each rule's side that has a block over ``MAX_BLOCK``, and the
    rules, which skip such blocks.

    A rule is the equality of its expressions, plus a bound on the block's size on each side where a block is
    too large; DuckDB applies the bounds to each side before joining, so a skipped block costs its count only.
    """
    connection.register("profile_rows", table)
    sides = list(dict.fromkeys(side for left, right in _RULES for side in (left, right or left)))
    largest = connection.sql(
        "SELECT "
        + ", ".join(
            f"(SELECT max(n) FROM (SELECT count(*) AS n FROM profile_rows WHERE "
            f"{' AND '.join(f'({e}) IS NOT NULL' for e in side)} GROUP BY {', '.join(side)}))"
            for side in sides
        )
    ).fetchone()
    sizes = {side: f"block_size_{n}" for n, side in enumerate(sides) if (largest[n] or 0) > MAX_BLOCK}
    rules = []
    for left, right in _RULES:
        other = left if right is None else right
        bounds = [
            f"{alias}.{sizes[side]} <= {MAX_BLOCK}" for alias, side in (("l", left), ("r", other)) if side in sizes
        ]
        rules.append(
            " AND ".join([*(f"{_side(a, 'l')} = {_side(b, 'r')}" for a, b in zip(left, other, strict=True)), *bounds])
        )
    counts = "".join(f", count(*) OVER (PARTITION BY {', '.join(e)}) AS {name}" for e, name in sizes.items())
    keyed = connection.sql(f"SELECT *{counts} FROM profile_rows").to_arrow_table() if sizes else table
    connection.unregister("profile_rows")
    return keyed, rules


def _name_comparison() -> Any:
    """The whole name, from the strongest agreement down: one comparison, so that related levels are not
    counted twice as independent evidence."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def close(column: str, at: float) -> Any:
        return cll.JaroWinklerLevel(column, at)

    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.And(cll.NullLevel("first_key"), cll.NullLevel("last_key")),
            cll.ExactMatchLevel("sorted_keys").configure(tf_adjustment_column="sorted_keys"),
            cll.ColumnsReversedLevel("first_key", "last_key", symmetrical=True),
            cll.And(cll.ExactMatchLevel("first_formal"), cll.ExactMatchLevel("last_key")),
            cll.And(cll.ExactMatchLevel("first_skeleton"), cll.ExactMatchLevel("last_skeleton")),
            close("sorted_keys", 0.92),
            cll.Or(
                cll.And(cll.ExactMatchLevel("last_key"), close("first_key", 0.88)),
                cll.And(cll.ExactMatchLevel("first_formal"), close("last_key", 0.88)),
            ),
            cll.And(close("first_formal", 0.88), close("last_key", 0.88)),
            cll.ArrayIntersectLevel("name_keys", 2),
            close("sorted_keys", 0.8),
            cll.ExactMatchLevel("last_key").configure(tf_adjustment_column="last_key"),
            cll.ExactMatchLevel("first_formal").configure(tf_adjustment_column="first_formal"),
            cll.ArrayIntersectLevel("name_keys", 1),
            cll.ElseLevel(),
        ],
    )


def _part_comparison(key: str, skeleton: str, formal: str | None = None) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=key,
        comparison_levels=[
            cll.NullLevel(key),
            cll.ExactMatchLevel(key).configure(tf_adjustment_column=key),
            *([cll.ExactMatchLevel(formal)] if formal else []),
            cll.ExactMatchLevel(skeleton),
            cll.JaroWinklerLevel(key, 0.9),
            cll.JaroWinklerLevel(key, 0.7),
            cll.ElseLevel(),
        ],
    )


def _birth_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.And(cll.NullLevel("birth_date"), cll.NullLevel("birth_year")),
            cll.ExactMatchLevel("birth_date"),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 2),
            cll.AbsoluteDifferenceLevel("birth_year", 10),
            cll.ElseLevel(),
        ],
    )


def _address_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address"),
            cll.ExactMatchLevel("address").configure(tf_adjustment_column="address"),
            cll.DamerauLevenshteinLevel("address", 1),
            cll.ExactMatchLevel("address_area").configure(tf_adjustment_column="address_area"),
            cll.ElseLevel(),
        ],
    )


def _settings(blocking: list[str]) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule as block_from_sql

    return SettingsCreator(
        link_type="dedupe_only",
        max_iterations=10,
        blocking_rules_to_generate_predictions=[block_from_sql(rule) for rule in blocking],
        comparisons=[
            _name_comparison(),
            _birth_comparison(),
            cl.CustomComparison(
                output_column_name="birth_place",
                comparison_levels=[
                    cll.NullLevel("birth_place"),
                    cll.ExactMatchLevel("birth_place").configure(tf_adjustment_column="birth_place"),
                    cll.JaroWinklerLevel("birth_place", 0.9),
                    cll.ElseLevel(),
                ],
            ),
            _address_comparison(),
            cl.ExactMatch("title").configure(term_frequency_adjustments=True),
            cl.ExactMatch("gender"),
            cl.ExactMatch("document"),
        ],
    )


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Pairs at or above the threshold with their match probability, and the clusters drawn from them."""

    pairs: dict[Pair, float]
    clusters: list[tuple[str, ...]]


PRIOR_RULES: tuple[tuple[str, ...], ...] = (("first_key", "last_key", "birth_date"), ("sorted_keys", "address"))
"""Deterministic rules for the share of matching pairs (taken to find 70% of them)."""


def _agreeing(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bool:
    """Whether two rows agree on every one of ``columns`` (none of them missing)."""
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(row[c] for c in columns)
        if None in key:
            continue
        if key in seen:
            return True
        seen.add(key)
    return False


def _train(linker: Any, rows: list[dict[str, Any]]) -> None:
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    # a rule no two records satisfy would put the share of matches at 0 (every probability 0): fall back to
    # the order-free name alone, or keep Splink's starting share when even that finds nothing
    prior = [r for r in PRIOR_RULES if _agreeing(rows, r)] or [r for r in (("sorted_keys",),) if _agreeing(rows, r)]
    if prior:
        linker.training.estimate_probability_two_random_records_match([block_on(*r) for r in prior], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=SAMPLE_PAIRS, seed=7, min_count_per_level=None)
    for rule in (block_on("first_key", "last_key"), block_on("birth_date")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=EM_PAIRS
            )
        except EMTrainingException:
            # no pair agrees on this rule (every name written surname first, no birth dates): the other
            # session trains what it can, the rest keeps Splink's starting values
            continue


def run(
    profiles: Iterable[Profile],
    *,
    threshold: float = LINK_THRESHOLD,
    proposal_threshold: float | None = None,
    not_same: Iterable[Pair] = (),
) -> BatchResult:
    """Score and cluster ``profiles``: pairs at or above ``proposal_threshold`` (default ``threshold``) are
    returned, pairs at or above ``threshold`` link clusters (see ``matching.linkage``)."""
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker

    rows = [row_of(p) for p in profiles if p.names]
    if len(rows) < MIN_RECORDS:
        return BatchResult({}, [])
    proposed = threshold if proposal_threshold is None else proposal_threshold
    # an explicit schema: a column with no value in any row would otherwise have no type for SQL to compare
    types = {"name_keys": pa.list_(pa.string()), "birth_year": pa.int32()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    connection = duckdb.connect()
    table, blocking = _blocked(connection, pa.Table.from_pylist(rows, schema=schema))
    linker = Linker(DuckDBAPI(connection).register(table), _settings(blocking), log_level="ERROR")
    _train(linker, rows)
    predictions = linker.inference.predict(threshold_match_probability=min(SUPPORT_FLOOR, threshold, proposed))
    found = (
        predictions.as_duckdbpyrelation()
        .select(
            "least(unique_id_l, unique_id_r)::VARCHAR, greatest(unique_id_l, unique_id_r)::VARCHAR, match_probability::DOUBLE"
        )
        .fetchall()
    )
    scored = list(map(Edge._make, found))
    years = {r["unique_id"]: r["birth_year"] for r in rows if r["birth_year"] is not None}
    clusters = link([e for e in scored if e.probability >= threshold], years, not_same, support=scored)
    pairs = {Pair(e.left, e.right): e.probability for e in scored if e.probability >= proposed}
    return BatchResult(pairs, clusters)


def splink_pairs(profiles: Mapping[str, Profile], threshold: float) -> dict[Pair, PairScore]:
    """Pairs Splink scores at or above ``threshold`` (a match probability), from ictdb's normalized keys."""
    result = run(profiles.values(), proposal_threshold=threshold)
    return {
        pair: PairScore(round(p, 4), {"splink": {"match_probability": round(p, 4)}}) for pair, p in result.pairs.items()
    }


def batch_resolve(
    node: Node, actor: Actor, *, threshold: float = PROPOSAL_THRESHOLD, auto_above: float | None = None
) -> resolution.ResolveSummary:
    """The node operator's full pass: Splink over every live person on the node, filed like ``resolve``.

    The persons are read as ``resolution.held_profiles`` keeps them: in full on the first run of a process,
    then only what was written since.

    Pairs at or above ``threshold`` (a match probability) are filed as proposals. With ``auto_above``, a pair
    at or above it that nobody has judged is judged ``same`` automatically, but only when ``matching.linkage``
    put its two records in one cluster: a strong pair between two groups that are otherwise weakly linked is
    left to an analyst. The current not-same judgements are read (without a viewer: the operator's
    bookkeeping) and no cluster joins a pair they separate.
    """
    require(actor, Role.NODE_ADMIN, "a node-wide resolution run")
    resolution.check_thresholds(threshold, auto_above)
    started = time.perf_counter()
    held = resolution.held_profiles(node)
    with node.store.transaction() as tx:
        repo = Resolution(tx.connection)
        run_id = repo.start_run(actor.username, actor.agency, "splink", None, node.now())
        apart = repo.current_not_same()
    profiles = {k: h.profile for k, h in sorted(held.items()) if h.profile.schema == "Person"}
    result = run(profiles.values(), proposal_threshold=threshold, not_same=apart)
    found = {
        pair: PairScore(round(p, 4), {"splink": {"match_probability": round(p, 4)}}) for pair, p in result.pairs.items()
    }
    cluster_of = {member: number for number, members in enumerate(result.clusters) for member in members}
    linked = {pair for pair in found if cluster_of.get(pair.left, -1) == cluster_of.get(pair.right, -2)}
    return resolution.file_pairs(
        node, actor, run_id, found, profiles, len(profiles), started, threshold, auto_above, True, linked
    )
