"""Writing an alert into an agency's inbox, with its webhook deliveries queued in the same transaction."""

from __future__ import annotations

import secrets
from typing import Any

from ictdb.model.cooperation import AlertKind
from ictdb.services.node import Node
from ictdb.storage.cooperation import Cooperation
from ictdb.storage.store import Tx

# Entries that go to the inbox only: pushing a webhook's own failure to that webhook would loop.
INBOX_ONLY = frozenset({AlertKind.DELIVERY_FAILED})


def repo(tx: Tx) -> Cooperation:
    return Cooperation(tx.connection)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


def notify(
    tx: Tx,
    node: Node,
    agency: str,
    kind: AlertKind,
    payload: dict[str, Any],
    *,
    record_id: str | None = None,
    about_id: str | None = None,
) -> str:
    """Put an alert in ``agency``'s inbox. The caller has checked that the agency may see both records."""
    coop = repo(tx)
    alert_id = new_id("alr")
    hooks = [] if kind in INBOX_ONLY else coop.active_webhooks(agency)
    body = {"id": alert_id, "kind": kind.value, "agency": agency, "at": node.now().isoformat(), **payload}
    coop.add_alert(alert_id, agency, kind, record_id, about_id, body, node.now(), webhooks=hooks)
    return alert_id
