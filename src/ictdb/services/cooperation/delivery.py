"""The delivery worker: pushes the outbox to webhooks, at least once, and reminds owners of overdue requests.

Each pass leases the due outbox rows (an UPDATE that only one worker can win, so several workers may run),
posts each one from a small thread pool so that a slow or dead receiver holds up only its own pushes, and
records the outcome of each push in its own transaction as soon as it is known. A worker killed mid-way
leaves at most the pushes in flight unrecorded; their lease runs out and the next pass sends them again
with the same idempotency key. A push that fails is retried with exponential back-off; after the last
attempt it is given up, and the agency finds a ``delivery.failed`` alert in its inbox. Before each push
the alert is read again through the visibility predicate: one whose records its agency may no longer see
is withdrawn, not sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import orjson

from ictdb.model.cooperation import AlertKind, DeliveryReport, DeliveryState
from ictdb.model.errors import ValidationError
from ictdb.policy.visibility import Viewer
from ictdb.services.cooperation.alerts import notify, repo
from ictdb.services.cooperation.requests import send_reminders
from ictdb.services.cooperation.webhooks import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    check_target,
    private_targets_allowed,
    sign,
)
from ictdb.services.node import Node
from ictdb.storage.cooperation import Delivery

__all__ = ["DeliveryPolicy", "deliver_once", "run"]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    max_attempts: int = 8
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=2)
    timeout: float = 10.0
    lease: timedelta = timedelta(minutes=2)
    workers: int = 8
    batch: int = 200

    def delay(self, attempts: int) -> timedelta:
        """Back-off after ``attempts`` failed pushes: base, 2 x base, 4 x base ... up to max_delay."""
        return min(self.base_delay * (1 << max(attempts - 1, 0)), self.max_delay)


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1


def _push(node: Node, client: httpx.Client, item: Delivery, policy: DeliveryPolicy, allow_private: bool) -> str:
    with node.store.transaction() as tx:
        visible = repo(tx).alert_if_visible(Viewer(item.alert.agency, node.today()), item.alert.seq)
        if visible is None:
            repo(tx).finish(item.seq, DeliveryState.WITHDRAWN, node.now(), attempts=item.attempts)
            return "withdrawn"
    body = orjson.dumps({**item.alert.payload, "idempotency_key": item.key})
    stamp = str(int(time.time()))
    error: str | None = None
    try:
        check_target(item.url, allow_private=allow_private)
        answer = client.post(
            item.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                KEY_HEADER: item.key,
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(item.secret, stamp, body),
                "User-Agent": "ictdb-webhooks/1",
            },
        )
        if not 200 <= answer.status_code < 300:
            error = f"HTTP {answer.status_code}"
    except ValidationError as exc:
        error = exc.message
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    now = node.now()
    attempts = item.attempts + 1
    with node.store.transaction() as tx:
        coop = repo(tx)
        if error is None:
            coop.finish(item.seq, DeliveryState.DELIVERED, now, attempts=attempts)
            return "delivered"
        if attempts >= policy.max_attempts:
            coop.finish(item.seq, DeliveryState.FAILED, now, attempts=attempts, error=error)
            notify(
                tx,
                node,
                item.alert.agency,
                AlertKind.DELIVERY_FAILED,
                {"webhook": item.webhook_id, "alert": item.alert.id, "attempts": attempts, "error": error},
            )
            return "failed"
        coop.finish(
            item.seq, DeliveryState.PENDING, now, attempts=attempts, next_at=now + policy.delay(attempts), error=error
        )
        return "retried"


def deliver_once(
    node: Node, *, policy: DeliveryPolicy | None = None, transport: httpx.BaseTransport | None = None
) -> DeliveryReport:
    """One pass: reminders, then every outbox row due now (up to ``policy.batch``)."""
    policy = policy or DeliveryPolicy()
    reminders = send_reminders(node)
    now = node.now()
    claimed: list[Delivery] = []
    with node.store.transaction() as tx:
        coop = repo(tx)
        for seq in coop.due_deliveries(now, policy.batch):
            item = coop.claim(seq, now, now + policy.lease)
            if item is not None:
                claimed.append(item)
    tally = _Tally()
    if claimed:
        allow_private = private_targets_allowed(node)
        with (
            httpx.Client(transport=transport, timeout=policy.timeout, follow_redirects=False) as client,
            ThreadPoolExecutor(max_workers=min(policy.workers, len(claimed))) as pool,
        ):
            for outcome in pool.map(lambda d: _push(node, client, d, policy, allow_private), claimed):
                tally.add(outcome)
    c = tally.counts
    return DeliveryReport(
        delivered=c.get("delivered", 0),
        retried=c.get("retried", 0),
        failed=c.get("failed", 0),
        withdrawn=c.get("withdrawn", 0),
        reminders=reminders,
    )


def run(
    node: Node,
    *,
    policy: DeliveryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    stop: threading.Event | None = None,
    idle: float = 1.0,
    on_pass: Callable[[DeliveryReport], None] | None = None,
) -> None:
    """Deliver until ``stop`` is set, sleeping ``idle`` seconds after a pass that found nothing to do."""
    stop = stop or threading.Event()
    while not stop.is_set():
        report = deliver_once(node, policy=policy, transport=transport)
        if on_pass is not None:
            on_pass(report)
        busy = report.delivered + report.retried + report.failed + report.withdrawn
        if not busy:
            stop.wait(idle)
