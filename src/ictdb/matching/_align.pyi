from collections.abc import Callable
from typing import Any

def part_matrix(
    raw: Any,
    query_parts: tuple[Any, ...],
    skeleton_codes: dict[str, int],
    shape_codes: dict[str, int],
    candidate_key_starts: Any,
    numbers: Any,
    part_skeleton_starts: Any,
    part_skeletons: Any,
    part_shape_starts: Any,
    part_shapes: Any,
    out: Any,
    skeleton_similarity: float,
    skeleton_reach: float,
    shape_similarity: float,
    /,
) -> None: ...
def align(
    similarity: Any,
    name_starts: Any,
    columns: Any,
    weights: Any,
    query_weights: Any,
    scores: Any,
    min_similarity: float,
    extra_weight: float,
    /,
) -> list[tuple[tuple[int, int, float], ...]]: ...
def gather(
    name_ids: Any,
    name_start: Any,
    name_parts: Any,
    key_start: Any,
    scratch: Any,
    parts: list[Any],
    keys: list[str],
    /,
) -> tuple[bytes, bytes, bytes, bytes, list[Any], list[str]]: ...
def rank_postings(
    keys: Any, postings: dict[str, Any], scratch: Any, size: int, keep: int, cap: int, budget: int, /
) -> bytes | None: ...
def joined_scores(
    queries: list[str], spellings: list[str], name_ids: Any, floor: float, share: float, longest: int, /
) -> bytes: ...
def channel_logps(
    segments: bytes,
    lengths: Any,
    logps: Any,
    bucket_starts: Any,
    latins: list[str],
    unseen: float,
    max_segment: int,
    /,
) -> bytes: ...
def best_entries(
    name_ids: Any,
    scores: Any,
    name_entry: Any,
    entries: list[Any],
    allowed: Callable[[Any], object],
    rise: float,
    fall: float,
    threshold: float,
    limit: int,
    /,
) -> list[tuple[float, int, int, bool]]: ...
def pick(values: list[Any], ids: Any, /) -> list[Any]: ...
def explain_pairs(
    pairs: tuple[tuple[int, int, float], ...],
    query_parts: tuple[Any, ...],
    parts: list[Any],
    name_parts: Any,
    start: int,
    /,
) -> list[dict[str, Any]]: ...
def live_names(ids: Any, name_entry: Any, entries: list[Any], schema: str | None, /) -> bytes: ...
def most_alike(alike: Any, rows: int, ranked: Any, keep: int, size: int, /) -> bytes: ...
