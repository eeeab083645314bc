"""Completing and checking a record's envelope against the node: named agencies and groups must exist."""

from __future__ import annotations

from datetime import date

from ictdb.model.envelope import DistributionKind, Envelope, EnvelopeInput
from ictdb.model.errors import ValidationError
from ictdb.storage.store import Tx


def complete(tx: Tx, owner: str, given: EnvelopeInput | None, today: date) -> Envelope:
    agency = tx.directory.agency(owner)
    if agency is None:
        raise ValidationError(f"no agency {owner}", "owner")
    envelope = Envelope.complete(owner, given or EnvelopeInput(), agency.defaults, today)
    check(tx, envelope)
    return envelope


def check(tx: Tx, envelope: Envelope) -> None:
    dist = envelope.distribution
    if dist.kind is DistributionKind.AGENCIES:
        for code in dist.agencies:
            if tx.directory.agency(code) is None:
                raise ValidationError(f"unknown agency {code}", "distribution")
    if dist.kind is DistributionKind.GROUP and dist.group:
        group = tx.directory.group(dist.group)
        if group is None or envelope.owner not in group.members:
            raise ValidationError(f"no sharing group {dist.group} that {envelope.owner} belongs to", "distribution")
