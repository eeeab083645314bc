"""The delivery worker: pushes the outbox to webhooks, at least once, and reminds owners of overdue requests.

Each pass leases the due outbox rows in one transaction (one UPDATE that only one worker can win for each
row, so several workers may run), posts each one from a small thread pool so that a slow or dead receiver
holds up only its own pushes, and records the outcome of each push in its own transaction as soon as it is
known. Between passes the worker keeps one HTTP client per target host (connections are reused) and
remembers each target's address check for a short while (``webhooks.TargetChecks``). A worker killed mid-way
leaves at most the pushes in flight unrecorded; their lease runs out and the next pass sends them again
with the same idempotency key. A push that fails is retried with exponential back-off; after the last
attempt it is given up, and the agency finds a ``delivery.failed`` alert in its inbox. When rows are
leased, their alerts are read again through the visibility predicate: one whose records its agency may no
longer see is withdrawn, not sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

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
    TargetChecks,
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


class _Clients:
    """One HTTP client per target host, kept across passes so that pushes reuse their connections."""

    def __init__(self, policy: DeliveryPolicy, transport: httpx.BaseTransport | None) -> None:
        self.policy, self.transport = policy, transport
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def for_url(self, url: str) -> httpx.Client:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            client = self._clients.get(host)
            if client is None:
                client = httpx.Client(transport=self.transport, timeout=self.policy.timeout, follow_redirects=False)
                self._clients[host] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


def _push(node: Node, clients: _Clients, checks: TargetChecks, item: Delivery, policy: DeliveryPolicy) -> str:
    body = orjson.dumps({**item.alert.payload, "idempotency_key": item.key})
    stamp = str(int(time.time()))
    error: str | None = None
    try:
        checks.check(item.url)
        answer = clients.for_url(item.url).post(
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


def _claim(node: Node, policy: DeliveryPolicy, tally: _Tally) -> list[Delivery]:
    """Lease the due rows in one transaction; withdraw there the ones whose alert its agency no longer sees."""
    now = node.now()
    with node.store.transaction() as tx:
        coop = repo(tx)
        claimed = coop.claim_many(coop.due_deliveries(now, policy.batch), now, now + policy.lease)
        agencies = {item.alert.agency for item in claimed}
        seen = {s for agency in agencies for s in coop.visible_alert_seqs(Viewer(agency, node.today()), claimed)}
        kept = []
        for item in claimed:
            if item.alert.seq in seen:
                kept.append(item)
            else:
                coop.finish(item.seq, DeliveryState.WITHDRAWN, now, attempts=item.attempts)
                tally.add("withdrawn")
    return kept


def deliver_once(
    node: Node,
    *,
    policy: DeliveryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    clients: _Clients | None = None,
    checks: TargetChecks | None = None,
) -> DeliveryReport:
    """One pass: reminders, then every outbox row due now (up to ``policy.batch``)."""
    policy = policy or DeliveryPolicy()
    reminders = send_reminders(node)
    tally = _Tally()
    claimed = _claim(node, policy, tally)
    if claimed:
        own = clients is None
        pool_clients = clients or _Clients(policy, transport)
        target_checks = checks or TargetChecks(private_targets_allowed(node))
        try:
            with ThreadPoolExecutor(max_workers=min(policy.workers, len(claimed))) as pool:
                for outcome in pool.map(lambda d: _push(node, pool_clients, target_checks, d, policy), claimed):
                    tally.add(outcome)
        finally:
            if own:
                pool_clients.close()
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
    policy = policy or DeliveryPolicy()
    clients = _Clients(policy, transport)
    checks = TargetChecks(private_targets_allowed(node))
    try:
        while not stop.is_set():
            allowed = private_targets_allowed(node)
            if allowed != checks.allow_private:
                checks = TargetChecks(allowed)
            report = deliver_once(node, policy=policy, clients=clients, checks=checks)
            if on_pass is not None:
                on_pass(report)
            busy = report.delivered + report.retried + report.failed + report.withdrawn
            if not busy:
                stop.wait(idle)
    finally:
        clients.close()
