"""Learn how Latin-script names are written in Cyrillic, from the Wikidata pairs' 80% training split.

Run: ``.venv/bin/python benchmarks/screening_train_cyrillic.py`` rewrites
``src/ictdb/matching/cyrillic_latin.tsv``, the table ``ictdb.matching.cyrillic`` reads.

Russian writes foreign names by sound: Шмидт is Schmidt, Жан is Jean, Кэндзиро is Kenjiro, Иветт is Yvette.
No romanization scheme undoes that, but the pairs show it. Each pair (Latin form, Cyrillic form) is aligned
into segments, each Cyrillic letter against zero to four Latin letters, by hard expectation
maximisation seeded with the romanization schemes; then the table counts, for every Cyrillic segment, which
Latin segments it was written for, alone and next to each neighbouring Cyrillic letter. The held-out 20%
split is never read here.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import unicodedata
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "names" / "wikidata-coling2018"
OUT = ROOT / "src" / "ictdb" / "matching" / "cyrillic_latin.tsv"

MAX_LATIN = 4
MIN_COUNT = 2
"""Table rows seen fewer times than this are noise (misaligned pairs, one-off spellings)."""
_CYRILLIC = re.compile(r"^[а-яёіїєґўђјљњћџѓќѕ]+$")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss").replace("ł", "l"))
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def held_out(cyrillic: str, share: float) -> bool:
    """Whether a Cyrillic form falls in a development hold-out of the given share (stable across runs)."""
    return zlib.crc32(cyrillic.encode()) % 1000 < share * 1000


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) < 2:
            continue
        latin, cyrillic = fold(cells[0]), cells[1].replace(" ", "").casefold()
        if (
            latin
            and _CYRILLIC.match(cyrillic)
            and len(latin) <= 3 * len(cyrillic) + 2
            and len(cyrillic) <= 2 * len(latin) + 2
        ):
            pairs.append((latin, cyrillic))
    return pairs


def _seed() -> dict[tuple[str, str], float]:
    """Log-weights of segment pairs the romanization schemes agree with, to start the alignment sensibly."""
    sys.path.insert(0, str(ROOT / "src"))
    from ictdb.matching.cyrillic import scheme_spellings

    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў"
    weights: dict[tuple[str, str], float] = {}
    for first in letters:
        for spelling in scheme_spellings(first):
            weights[(first, spelling)] = 0.0
        weights[(first, "")] = -3.0 if first in "ьъй" else -6.0
    return weights


def align(latin: str, cyrillic: str, logp: dict[tuple[str, str], float], floor: float) -> list[tuple[str, str]] | None:
    """The best alignment of a pair under ``logp``: one (Cyrillic letter, Latin segment) per Cyrillic letter."""
    n, m = len(cyrillic), len(latin)
    best = [[-math.inf] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n):
        row, source, target_row, back_row = best[i], cyrillic[i], best[i + 1], back[i + 1]
        for j in range(m + 1):
            here = row[j]
            if here == -math.inf:
                continue
            for dl in range(0, min(MAX_LATIN, m - j) + 1):
                weight = logp.get((source, latin[j : j + dl]), floor - dl)
                if here + weight > target_row[j + dl]:
                    target_row[j + dl] = here + weight
                    back_row[j + dl] = j
    if best[n][m] == -math.inf:
        return None
    out: list[tuple[str, str]] = []
    j = m
    for i in range(n, 0, -1):
        start = back[i][j]
        out.append((cyrillic[i - 1], latin[start:j]))
        j = start
    out.reverse()
    return out


def train(pairs: list[tuple[str, str]], rounds: int = 4) -> list[list[tuple[str, str]]]:
    logp = _seed()
    floor = -9.0
    alignments: list[list[tuple[str, str]]] = []
    for round_number in range(rounds):
        joint: Counter[tuple[str, str]] = Counter()
        alignments = []
        for latin, cyrillic in pairs:
            found = align(latin, cyrillic, logp, floor)
            if found is not None:
                alignments.append(found)
                joint.update(found)
        total = sum(joint.values())
        by_source: Counter[str] = Counter()
        for (source, _), count in joint.items():
            by_source[source] += count
        logp = {pair: math.log(count / total) for pair, count in joint.items() if count >= MIN_COUNT}
        floor = math.log(0.5 / total)
        print(f"round {round_number + 1}: {len(alignments)} aligned, {len(logp)} segment pairs", flush=True)
    return alignments


def table(alignments: list[list[tuple[str, str]]]) -> list[tuple[str, str, str, int]]:
    """Rows (context, Cyrillic segment, Latin segment, count); context is ``*``, ``<x`` or ``>x``.

    ``<x``: the Cyrillic letter before is x (``^`` at the start); ``>x``: the letter after it (``$`` at the end).
    """
    counts: Counter[tuple[str, str, str]] = Counter()
    for segments in alignments:
        word = "".join(source for source, _ in segments)
        position = 0
        for source, target in segments:
            before = word[position - 1] if position else "^"
            after = word[position + len(source)] if position + len(source) < len(word) else "$"
            counts[("*", source, target)] += 1
            counts[("<" + before, source, target)] += 1
            counts[(">" + after, source, target)] += 1
            position += len(source)
    rows = [
        (context, source, target, count) for (context, source, target), count in counts.items() if count >= MIN_COUNT
    ]
    rows.sort(key=lambda row: (row[1], row[0], -row[3], row[2]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DATA / "wd_russian_80")
    parser.add_argument("--holdout", type=float, default=0.0, help="leave out this share of pairs (by hash)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    pairs = read_pairs(args.pairs)
    if args.holdout:
        pairs = [pair for pair in pairs if not held_out(pair[1], args.holdout)]
    print(f"{len(pairs)} pairs from {args.pairs.name}", flush=True)
    rows = table(train(pairs))
    with args.out.open("w", encoding="utf-8") as out:
        out.write("# context\tcyrillic\tlatin\tcount (see benchmarks/screening_train_cyrillic.py)\n")
        for context, source, target, count in rows:
            out.write(f"{context}\t{source}\t{target}\t{count}\n")
    print(f"{len(rows)} rows -> {args.out}")


if __name__ == "__main__":
    main()
