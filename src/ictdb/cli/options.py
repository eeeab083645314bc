"""The envelope flags, the same on every command that records something."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ictdb.model.envelope import Distribution, EnvelopeInput
from ictdb.model.errors import ValidationError
from ictdb.model.vocab import HandlingCode, HitPolicy, Purpose

DistributionOpt = Annotated[
    str | None, typer.Option("--distribution", help="owner | members | agencies:AAA,BBB | group:NAME")
]
HandlingOpt = Annotated[HandlingCode | None, typer.Option("--handling", help="H0 | H1 | H2 | H3")]
HandlingNoteOpt = Annotated[str | None, typer.Option("--handling-note", help="the restriction, for H3")]
HitPolicyOpt = Annotated[HitPolicy | None, typer.Option("--hit-policy", help="silent | notify-owner | hit-no-hit")]
GradingOpt = Annotated[str | None, typer.Option("--grading", help="source A-F and information 1-6, e.g. B2")]
PurposeOpt = Annotated[Purpose | None, typer.Option("--purpose")]
JustificationOpt = Annotated[str | None, typer.Option("--justification")]
ReviewByOpt = Annotated[str | None, typer.Option("--review-by", help="YYYY-MM-DD; default five years on")]


def parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"not a date (YYYY-MM-DD): {text!r}", field) from None


def envelope_input(
    distribution: str | None,
    handling: HandlingCode | None,
    handling_note: str | None,
    hit_policy: HitPolicy | None,
    grading: str | None,
    purpose: Purpose | None,
    justification: str | None,
    review_by: str | None,
) -> EnvelopeInput | None:
    values = {
        "distribution": Distribution.parse(distribution) if distribution else None,
        "handling": handling,
        "handling_note": handling_note,
        "hit_policy": hit_policy,
        "grading": grading,
        "purpose": purpose,
        "justification": justification,
        "review_by": parse_day(review_by, "review_by") if review_by else None,
    }
    if all(v is None for v in values.values()):
        return None
    return EnvelopeInput.model_validate(values)
