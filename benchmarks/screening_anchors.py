"""The two reference matchers the screening benchmark compares ictdb with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import icu
from rapidfuzz import fuzz, process

from ictdb.matching import MatchEntry, MatchQuery


class IcuRapidfuzz:
    """ICU ``Any-Latin; Latin-ASCII`` on every name, then rapidfuzz ``token_sort_ratio`` against all of them."""

    name = "icu+rapidfuzz"

    def __init__(self, watchlist: Sequence[MatchEntry]) -> None:
        self._latin = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
        self.choices: list[str] = []
        self.owners: list[str] = []
        for entry in watchlist:
            for name in entry.names:
                self.choices.append(self._key(name.value))
                self.owners.append(entry.entity_id)

    def _key(self, text: str) -> str:
        return str(self._latin.transliterate(text)).lower()

    def rank(self, query: MatchQuery) -> list[tuple[str, float]]:
        return self._ranked(query, 60)[:10]

    def candidates(self, query: MatchQuery, count: int) -> list[str]:
        """The ``count`` records whose names are most alike the query's (a record may hold several names)."""
        return [owner for owner, _ in self._ranked(query, 3 * count)[:count]]

    def _ranked(self, query: MatchQuery, names: int) -> list[tuple[str, float]]:
        best: dict[str, float] = {}
        for text in query.names:
            for _, score, position in process.extract(
                self._key(text), self.choices, scorer=fuzz.token_sort_ratio, limit=names
            ):
                owner = self.owners[position]
                best[owner] = max(best.get(owner, 0.0), score / 100.0)
        return sorted(best.items(), key=lambda item: -item[1])


class LogicV2Matcher:
    """nomenklatura's ``logic-v2`` over followthemoney Person entities, scoring given candidates."""

    name = "logic-v2"
    _made = 0

    def __init__(self, watchlist: Sequence[MatchEntry]) -> None:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
        from nomenklatura.matching.types import ScoringConfig

        self._model = model
        self._algorithm = LogicV2
        self._config = ScoringConfig.defaults()
        self.entities: dict[str, Any] = {}
        self._queries = 0
        # logic-v2 caches name analysis by entity id across all its uses in the process: two tasks' matchers
        # must not share an id, or a record's names in one task (OFAC akas, in the Arabic task's list) come
        # back for the same record in the next (listed under its primary name only in the Latin task's)
        LogicV2Matcher._made += 1
        self._prefix = f"m{LogicV2Matcher._made}-"
        for entry in watchlist:
            entity = model.make_entity("Person")
            entity.id = self._prefix + entry.entity_id.replace(":", "-")
            for name in entry.names:
                entity.add("name", name.value)
            for date in entry.birth_dates:
                entity.add("birthDate", date.text.rstrip("~").split("/")[0])
            for country in entry.nationalities:
                entity.add("nationality", country.lower(), quiet=True)
            if entry.gender:
                entity.add("gender", entry.gender, quiet=True)
            for number in entry.documents:
                entity.add("idNumber", number, quiet=True)
            self.entities[entry.entity_id] = entity

    def rank(self, query: MatchQuery, candidates: Sequence[str]) -> list[tuple[str, float]]:
        entity = self._model.make_entity("Person")
        # a fresh id per query: logic-v2 caches name analysis by entity id, so a shared id would compare
        # every query after the first as if it were the first
        self._queries += 1
        entity.id = f"{self._prefix}query-{self._queries}"
        for text in query.names:
            entity.add("name", text)
        if query.birth_date:
            entity.add("birthDate", query.birth_date, quiet=True)
        if query.nationality:
            entity.add("nationality", query.nationality.lower(), quiet=True)
        scored = [
            (candidate, float(self._algorithm.compare(entity, self.entities[candidate], self._config).score))
            for candidate in candidates
        ]
        return sorted(scored, key=lambda item: -item[1])[:10]
