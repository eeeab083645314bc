"""What a restricted match turns into, by the record's hit policy (the Prüm / FIU.net model).

An agency whose search or screening matches a record it may not see learns, by the owner's choice:
  * silent: nothing, and the owner is not told;
  * notify-owner: nothing, and the owner is told who matched, when, with what query and score;
  * hit-no-hit: only that a restricted record of agency X matched (never which record), and the owner is told.
"""

from __future__ import annotations

from dataclasses import dataclass

from ictdb.model.vocab import HitPolicy


@dataclass(frozen=True, slots=True)
class HitOutcome:
    tell_searcher: bool
    tell_owner: bool


def outcome_of(policy: HitPolicy) -> HitOutcome:
    if policy is HitPolicy.SILENT:
        return HitOutcome(tell_searcher=False, tell_owner=False)
    if policy is HitPolicy.NOTIFY_OWNER:
        return HitOutcome(tell_searcher=False, tell_owner=True)
    return HitOutcome(tell_searcher=True, tell_owner=True)
