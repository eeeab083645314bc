"""Multilingual name matching: normalize, transliterate, key, index and score (pure; no I/O of ours).

Search and screening across Arabic, Cyrillic and Latin scripts. See docs/matching.md for how names are
compared and how ``SCREENING_THRESHOLD`` was calibrated.
"""

from ictdb.matching.batch import screen_many
from ictdb.matching.index import Match, MatchEntry, MatchQuery, NameIndex, SearchResult, normalize_gender
from ictdb.matching.names import Part, analyze

SCREENING_THRESHOLD = 0.85
"""Screening alerts at or above this score: about 1% false alerts on the benchmark's negatives."""
SEARCH_THRESHOLD = 0.5
"""Interactive search shows candidates down to this score; an analyst looks at each."""

__all__ = [
    "SCREENING_THRESHOLD",
    "SEARCH_THRESHOLD",
    "Match",
    "MatchEntry",
    "MatchQuery",
    "NameIndex",
    "Part",
    "SearchResult",
    "analyze",
    "normalize_gender",
    "screen_many",
]
