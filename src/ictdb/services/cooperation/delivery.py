"""The delivery worker: pushes the outbox to webhooks, at least once, and reminds owners of overdue requests.

How it runs. One thread does all the worker's database writes, in short transactions called steps. A step
records every push outcome received since the previous step and, in the same transaction, leases as many
due outbox rows as there is room for (up to ``DeliveryPolicy.batch`` leased and unanswered at once). After
the commit it reads the leased alerts again through the visibility predicate (an alert whose records its
agency may no longer see is withdrawn, recorded at the next step) and hands the rest to a pool of
``workers`` threads that only post: no thread but the stepping one touches the outbox. At most
``per_webhook`` pushes to one webhook run at once, so a webhook that stalls or times out holds a few
threads and never the pool. While a step waits for the database (on SQLite, for the one write lock, which
the node's writers hold too), the pushes go on and their outcomes queue; the next step records all of them
in one transaction, so the worker takes the write lock once per step, not once per push, and keeps up
with the alerts. On SQLite a step takes the lock with ``BEGIN IMMEDIATE`` (``Cooperation.write_now``) after
queueing at the store's write gate rather than sleeping in SQLite's busy handler, so it gets in between a busy
writer's transactions, and holds it only for a few UPDATEs. A step with nothing to record and nothing due
writes nothing (on SQLite it never asks for the lock). Several workers may run: a lease is taken by one UPDATE
that re-checks that the row is pending and unleased (on PostgreSQL, rows another worker is leasing are
skipped), and an outcome changes a row only while it is still pending.

Why a crash loses and duplicates nothing for the receiver. An alert and its outbox rows are written in the
transaction of the event that caused them, so they exist exactly when the event does. A row leaves
``pending`` only in a step that commits the outcome of a push that has been answered (or its withdrawal),
and a step is one transaction, so it is recorded whole or not at all. A worker killed at any point, inside
a step or between steps, leaves every row whose outcome it had not committed pending, with a lease that
runs out (``DeliveryPolicy.lease``), after which a worker leases it again and pushes it with the same
idempotency key. So no alert is lost, and the only pushes sent twice are those the receiver got but whose outcome was
not committed when the worker died: those in flight or answered since the last step. The receiver drops
them by ``Idempotency-Key``. A push whose lease ran out before a thread got to it is not sent; it is
leased again instead (keep the lease well above the push timeout: a push still under way when its lease
runs out may be sent by another worker too, under the same key). A push that fails is retried with exponential back-off; after the last attempt it
is given up, and the agency finds a ``delivery.failed`` alert in its inbox, written in the step that gives
up. Between steps the worker keeps one HTTP client per target host and remembers each target's address
check for a short while (``webhooks.TargetChecks``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
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
from ictdb.storage.cooperation import Delivery, Outcome

__all__ = ["DeliveryPolicy", "deliver_once", "run"]

# How often a running worker looks for overdue requests and re-reads the node's webhook policy.
HOUSEKEEPING_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    max_attempts: int = 8
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=2)
    timeout: float = 10.0
    lease: timedelta = timedelta(minutes=2)
    workers: int = 8
    batch: int = 200
    per_webhook: int = 4

    def delay(self, attempts: int) -> timedelta:
        """Back-off after ``attempts`` failed pushes: base, 2 x base, 4 x base ... up to max_delay."""
        return min(self.base_delay * (1 << max(attempts - 1, 0)), self.max_delay)


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


def _post(clients: _Clients, checks: TargetChecks, item: Delivery) -> str | None:
    """Push one alert, signed; None when the receiver took it, else why not."""
    body = orjson.dumps({**item.alert.payload, "idempotency_key": item.key})
    stamp = str(int(time.time()))
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
    except ValidationError as exc:
        return exc.message
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"


class _Worker:
    """Leases and records in steps on the calling thread; posts on a pool, at most ``per_webhook`` at once each."""

    def __init__(self, node: Node, policy: DeliveryPolicy, clients: _Clients, checks: TargetChecks) -> None:
        self.node, self.policy, self.clients, self.checks = node, policy, clients, checks
        self._pool = ThreadPoolExecutor(max_workers=max(policy.workers, 1), thread_name_prefix="ictdb-push")
        self._changed = threading.Condition()
        self._queued: dict[str, deque[tuple[Delivery, float]]] = {}  # per webhook: (push, lease end, monotonic)
        self._running: dict[str, int] = {}
        self._answered: list[tuple[Delivery, str | None]] = []
        self._withdrawn: list[Delivery] = []
        self.in_flight = 0  # leased and not yet answered

    def step(self, *, lease: bool) -> tuple[DeliveryReport, int]:
        """One transaction: record the outcomes received so far, then lease what there is room for.

        Returns what was recorded and how many rows were leased.
        """
        with self._changed:
            answered, self._answered = self._answered, []
            room = self.policy.batch - self.in_flight if lease else 0
        withdrawn, self._withdrawn = self._withdrawn, []
        leased: list[Delivery] = []
        with self.node.store.transaction() as tx:
            coop = repo(tx)
            if not (answered or withdrawn or (room > 0 and coop.any_due(self.node.now()))):
                return DeliveryReport(), 0
            coop.write_now()
            now = self.node.now()  # once the lock is held: rows committed while waiting for it are due too
            outcomes, given_up, counts = self._outcomes(answered, withdrawn, now)
            coop.finish_many(outcomes, now)
            for item, attempts, error in given_up:
                if coop.give_up(item.seq, attempts, error):
                    notify(
                        tx,
                        self.node,
                        item.alert.agency,
                        AlertKind.DELIVERY_FAILED,
                        {"webhook": item.webhook_id, "alert": item.alert.id, "attempts": attempts, "error": error},
                    )
            leased = coop.lease_due(now, now + self.policy.lease, room)
        self._start(self._still_visible(leased))
        report = DeliveryReport(
            delivered=counts.get(DeliveryState.DELIVERED, 0),
            retried=counts.get(DeliveryState.PENDING, 0),
            failed=len(given_up),
            withdrawn=len(withdrawn),
        )
        return report, len(leased)

    def _outcomes(
        self, answered: list[tuple[Delivery, str | None]], withdrawn: list[Delivery], now: datetime
    ) -> tuple[list[Outcome], list[tuple[Delivery, int, str]], dict[DeliveryState, int]]:
        outcomes = [
            Outcome(d.seq, DeliveryState.WITHDRAWN, d.attempts, error="its records are no longer visible to the agency")
            for d in withdrawn
        ]
        given_up: list[tuple[Delivery, int, str]] = []
        counts: dict[DeliveryState, int] = {}
        for item, error in answered:
            attempts = item.attempts + 1
            if error is None:
                outcomes.append(Outcome(item.seq, DeliveryState.DELIVERED, attempts))
                counts[DeliveryState.DELIVERED] = counts.get(DeliveryState.DELIVERED, 0) + 1
            elif attempts >= self.policy.max_attempts:
                given_up.append((item, attempts, error))
            else:
                retry_at = now + self.policy.delay(attempts)
                outcomes.append(Outcome(item.seq, DeliveryState.PENDING, attempts, next_at=retry_at, error=error))
                counts[DeliveryState.PENDING] = counts.get(DeliveryState.PENDING, 0) + 1
        return outcomes, given_up, counts

    def _still_visible(self, leased: list[Delivery]) -> list[Delivery]:
        """The leased pushes whose agency may still see their alert; the others are withdrawn at the next step."""
        if not leased:
            return []
        with self.node.store.transaction() as tx:
            coop = repo(tx)
            today = self.node.today()
            agencies = {item.alert.agency for item in leased}
            seen = {s for agency in agencies for s in coop.visible_alert_seqs(Viewer(agency, today), leased)}
            self._withdrawn.extend(item for item in leased if item.alert.seq not in seen)
            # what is pushed says no more than the inbox would: records since hidden leave the payload's list
            return [
                replace(item, alert=coop.listing_visible(Viewer(item.alert.agency, today), [item.alert])[0])
                for item in leased
                if item.alert.seq in seen
            ]

    def _start(self, items: list[Delivery]) -> None:
        ends = time.monotonic() + self.policy.lease.total_seconds()
        with self._changed:
            for item in items:
                self._queued.setdefault(item.webhook_id, deque()).append((item, ends))
                self.in_flight += 1
            for webhook in {item.webhook_id for item in items}:
                self._dispatch(webhook)
            self._changed.notify_all()

    def _dispatch(self, webhook: str) -> None:
        """Start queued pushes to ``webhook`` while fewer than ``per_webhook`` run (with ``_changed`` held)."""
        queue = self._queued.get(webhook)
        while queue and self._running.get(webhook, 0) < max(self.policy.per_webhook, 1):
            item, ends = queue.popleft()
            self._running[webhook] = self._running.get(webhook, 0) + 1
            self._pool.submit(self._push, item, ends)
        if not queue:
            self._queued.pop(webhook, None)

    def _push(self, item: Delivery, lease_ends: float) -> None:
        # A push whose lease ran out while it waited for a thread is not sent and not recorded: it is due
        # again, and this worker or another leases it anew.
        lapsed = time.monotonic() >= lease_ends
        error: str | None = None
        try:
            if not lapsed:
                error = _post(self.clients, self.checks, item)
        except Exception as exc:  # a fault in one push is that push's failure, retried later, not the worker's end
            error = f"{type(exc).__name__}: {exc}"
        finally:
            with self._changed:
                if not lapsed:
                    self._answered.append((item, error))
                self.in_flight -= 1
                self._running[item.webhook_id] -= 1
                self._dispatch(item.webhook_id)
                self._changed.notify_all()

    def wait_for_answers(self, timeout: float) -> None:
        """Return once an outcome is waiting to be recorded, or after ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: bool(self._answered) or not self.in_flight, timeout)

    def forget_queued(self) -> None:
        """Drop the leased pushes no thread has started; their leases run out and they are leased again later."""
        with self._changed:
            self.in_flight -= sum(len(queue) for queue in self._queued.values())
            self._queued.clear()
            self._changed.notify_all()

    def drain(self) -> None:
        """Wait until every leased push has been answered."""
        with self._changed:
            self._changed.wait_for(lambda: not self.in_flight)

    def close(self) -> None:
        """Stop the pool: pushes not started are left to their leases, those under way end within the timeout."""
        self.forget_queued()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _add(a: DeliveryReport, b: DeliveryReport) -> DeliveryReport:
    return DeliveryReport(
        delivered=a.delivered + b.delivered,
        retried=a.retried + b.retried,
        failed=a.failed + b.failed,
        withdrawn=a.withdrawn + b.withdrawn,
        reminders=a.reminders + b.reminders,
    )


def deliver_once(
    node: Node,
    *,
    policy: DeliveryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
) -> DeliveryReport:
    """One pass: reminders, then every outbox row due now (up to ``policy.batch``), recorded in one transaction."""
    policy = policy or DeliveryPolicy()
    reminders = send_reminders(node)
    clients = _Clients(policy, transport)
    worker = _Worker(node, policy, clients, TargetChecks(private_targets_allowed(node)))
    try:
        leased, _ = worker.step(lease=True)
        worker.drain()
        recorded, _ = worker.step(lease=False)
    finally:
        worker.close()
        clients.close()
    return replace(_add(leased, recorded), reminders=reminders)


def run(
    node: Node,
    *,
    policy: DeliveryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    stop: threading.Event | None = None,
    idle: float = 1.0,
    on_pass: Callable[[DeliveryReport], None] | None = None,
) -> None:
    """Deliver until ``stop`` is set: a step whenever an outcome is waiting, or every ``idle`` seconds.

    ``on_pass`` gets what each step recorded. On stop, no more rows are leased and leased pushes not yet
    started are left to their leases; the pushes under way finish (each within ``policy.timeout``) and
    their outcomes are recorded.
    """
    stop = stop or threading.Event()
    policy = policy or DeliveryPolicy()
    clients = _Clients(policy, transport)
    worker = _Worker(node, policy, clients, TargetChecks(private_targets_allowed(node)))
    housekeeping = 0.0
    try:
        while not stop.is_set():
            reminders = 0
            if time.monotonic() >= housekeeping:
                reminders = send_reminders(node)
                allowed = private_targets_allowed(node)
                if allowed != worker.checks.allow_private:
                    worker.checks = TargetChecks(allowed)
                housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
            report, leased = worker.step(lease=True)
            report = replace(report, reminders=reminders)
            if on_pass is not None:
                on_pass(report)
            if worker.in_flight:
                worker.wait_for_answers(idle)
            elif not (leased or report.delivered + report.retried + report.failed + report.withdrawn):
                stop.wait(idle)
        worker.forget_queued()
        worker.drain()
        last, _ = worker.step(lease=False)
        if on_pass is not None:
            on_pass(last)
    finally:
        worker.close()
        clients.close()
