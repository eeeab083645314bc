"""Webhooks: signed pushes from the outbox, back-off and giving up, refused targets, withdrawn alerts."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

import pytest

from conftest import Clock
from cooperation.receiver import receiver
from factories import person, seed_agencies
from ictdb.model.actors import Actor
from ictdb.model.cooperation import DeliveryReport, DeliveryState
from ictdb.model.errors import ValidationError
from ictdb.model.stored import Record, parse_body
from ictdb.services import records
from ictdb.services.cooperation import delivery, inbox, watches, webhooks
from ictdb.services.cooperation.alerts import repo
from ictdb.services.directory import node_admin
from ictdb.services.node import Node
from ictdb.storage.cooperation import Outcome

FAST = delivery.DeliveryPolicy(max_attempts=3, base_delay=timedelta(seconds=10), timeout=1.0)


def _movement(node: Node, actor: Actor, person_id: str) -> str:
    body = parse_body(
        {"schema": "Movement", "person": person_id, "origin": {"country": "TR"}, "destination": {"country": "FR"}}
    )
    return records.add_record(node, actor, body).id


def _watched_by_france(node: Node) -> tuple[dict[str, Actor], Record]:
    """Agencies, private targets allowed, and an FR-DGSI person that FR-DGSI watches."""
    a = seed_agencies(node)
    webhooks.set_private_targets(node, node_admin(node), True)
    target = person(node, a["FR-DGSI"], "Karim Benali")
    watches.add_watch(node, a["FR-DGSI"], target.id)
    return a, target


def _watched_by_france_and_jordan(node: Node) -> tuple[dict[str, Actor], Record]:
    """Agencies, private targets allowed, and a DE-BKA person that FR-DGSI and JO-GID both watch."""
    a = seed_agencies(node)
    webhooks.set_private_targets(node, node_admin(node), True)
    target = person(node, a["DE-BKA"], "Karim Benali")
    watches.add_watch(node, a["FR-DGSI"], target.id)
    watches.add_watch(node, a["JO-GID"], target.id)
    return a, target


def test_private_targets_are_refused_unless_the_node_allows_them(node: Node) -> None:
    a = seed_agencies(node)
    for url in ("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]/x"):
        with pytest.raises(ValidationError, match="private, loopback or link-local"):
            webhooks.add_webhook(node, a["FR-DGSI"], url)
    for url in ("ftp://example.org/x", "http:///nohost", "http://user:pw@127.0.0.1/x"):
        with pytest.raises(ValidationError):
            webhooks.add_webhook(node, a["FR-DGSI"], url)
    webhooks.set_private_targets(node, node_admin(node), True)
    hook, secret = webhooks.add_webhook(node, a["FR-DGSI"], "http://127.0.0.1:9/hook")
    assert hook.url == "http://127.0.0.1:9/hook" and len(secret) > 30


def test_alerts_are_pushed_signed_once_each(node: Node) -> None:
    a, target = _watched_by_france(node)
    fr = a["FR-DGSI"]
    with receiver() as rx:
        _hook, secret = webhooks.add_webhook(node, fr, f"{rx.base}/ok")
        movement = _movement(node, a["DE-BKA"], target.id)
        report = delivery.deliver_once(node, policy=FAST)
        assert report.delivered == 1
        assert delivery.deliver_once(node, policy=FAST).delivered == 0
        (push,) = rx.pushes
    assert webhooks.verify(secret, push.timestamp, push.body, push.signature)
    assert not webhooks.verify("wrong", push.timestamp, push.body, push.signature)
    payload = push.payload
    assert payload["kind"] == "watch.movement" and payload["record"]["id"] == movement  # type: ignore[index]
    assert payload["idempotency_key"] == push.key
    (listed,) = webhooks.list_webhooks(node, fr)
    assert (listed.delivered, listed.pending, listed.failed) == (1, 0, 0)


def test_a_failing_receiver_backs_off_gives_up_visibly_and_blocks_nobody(node: Node, clock: Clock) -> None:
    a, target = _watched_by_france_and_jordan(node)
    fr, jo = a["FR-DGSI"], a["JO-GID"]
    with receiver() as rx:
        webhooks.add_webhook(node, fr, f"{rx.base}/fail")
        webhooks.add_webhook(node, fr, f"{rx.base}/slow")
        webhooks.add_webhook(node, jo, f"{rx.base}/ok")
        _movement(node, a["DE-BKA"], target.id)
        started = time.monotonic()
        first = delivery.deliver_once(node, policy=FAST)
        assert time.monotonic() - started < 2.9  # the stalled receiver holds up only its own push
        assert (first.delivered, first.retried) == (1, 2)
        assert rx.keys("/ok") and len(rx.keys("/fail")) == 1
        assert delivery.deliver_once(node, policy=FAST).retried == 0  # not due before its back-off
        clock.advance(seconds=10)
        assert delivery.deliver_once(node, policy=FAST).retried == 2
        clock.advance(seconds=15)
        assert delivery.deliver_once(node, policy=FAST).retried == 0  # 2nd back-off is 20 s
        clock.advance(seconds=10)
        assert delivery.deliver_once(node, policy=FAST).failed == 2
        assert len(set(rx.keys("/fail"))) == 1 and len(rx.keys("/fail")) == 3
        assert rx.keys("/ok") == rx.keys("/ok")[:1]
    failed = inbox.inbox(node, fr, kind="delivery.failed").alerts
    assert len(failed) == 2 and {f.payload["attempts"] for f in failed} == {3}
    assert {h.failed for h in webhooks.list_webhooks(node, fr)} == {1}


def test_an_alert_whose_record_is_deleted_is_withdrawn_not_pushed(node: Node) -> None:
    a, target = _watched_by_france(node)
    fr = a["FR-DGSI"]
    with receiver() as rx:
        webhooks.add_webhook(node, fr, f"{rx.base}/ok")
        movement = _movement(node, a["DE-BKA"], target.id)
        records.delete_record(node, a["DE-BKA"], movement, "wrong person")
        report = delivery.deliver_once(node, policy=FAST)
        assert (report.delivered, report.withdrawn) == (0, 1)
        assert rx.pushes == []


def test_a_webhook_pointed_inside_after_registration_is_refused_at_push_time(node: Node) -> None:
    a = seed_agencies(node)
    fr = a["FR-DGSI"]
    admin = node_admin(node)
    webhooks.set_private_targets(node, admin, True)
    target = person(node, fr, "Karim Benali")
    watches.add_watch(node, fr, target.id)
    with receiver() as rx:
        webhooks.add_webhook(node, fr, f"{rx.base}/ok")
        webhooks.set_private_targets(node, admin, False)
        _movement(node, a["DE-BKA"], target.id)
        assert delivery.deliver_once(node, policy=FAST).retried == 1
        assert rx.pushes == []


def test_a_burst_to_one_webhook_costs_one_name_lookup_and_a_moved_name_is_refused_after_the_ttl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups: list[str] = []
    answer = {"address": "93.184.216.34"}

    def fake_getaddrinfo(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        lookups.append(host)
        return [(2, 1, 6, "", (answer["address"], port))]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", fake_getaddrinfo)
    checks = webhooks.TargetChecks(allow_private=False, ttl=0.2)
    for _ in range(50):
        checks.check("https://hooks.example.org/ictdb")
    assert lookups == ["hooks.example.org"]
    answer["address"] = "10.0.0.5"  # the name now points into a private network
    checks.check("https://hooks.example.org/ictdb")  # still within the ttl
    time.sleep(0.25)
    with pytest.raises(ValidationError, match="private"):
        checks.check("https://hooks.example.org/ictdb")
    with pytest.raises(ValidationError, match="private"):  # the refusal is remembered too
        checks.check("https://hooks.example.org/ictdb")
    assert len(lookups) == 2


def test_one_pass_leases_and_pushes_a_batch_to_each_webhook_once(node: Node) -> None:
    a, target = _watched_by_france(node)
    fr = a["FR-DGSI"]
    with receiver() as rx:
        webhooks.add_webhook(node, fr, f"{rx.base}/ok")
        webhooks.add_webhook(node, fr, f"{rx.base}/ok?second")
        for _ in range(12):
            _movement(node, a["DE-BKA"], target.id)
        # A generous timeout: this is about batching, and a loaded machine must not turn a slow push into a retry.
        patient = dataclasses.replace(FAST, timeout=60.0)
        report = delivery.deliver_once(node, policy=patient)
        assert report.delivered == 24 and len(rx.pushes) == 24
        assert len({p.key for p in rx.pushes}) == 24
    assert delivery.deliver_once(node, policy=patient).delivered == 0


def test_a_running_worker_keeps_pushing_to_others_while_one_webhook_stalls(node: Node) -> None:
    a, target = _watched_by_france_and_jordan(node)
    fr, jo = a["FR-DGSI"], a["JO-GID"]
    policy = dataclasses.replace(FAST, workers=4, per_webhook=2)
    with receiver() as rx:
        webhooks.add_webhook(node, fr, f"{rx.base}/slow")  # each push stalls past the 1 s timeout
        webhooks.add_webhook(node, jo, f"{rx.base}/ok")
        for _ in range(10):
            _movement(node, a["DE-BKA"], target.id)
        stop = threading.Event()
        worker = threading.Thread(
            target=delivery.run, kwargs={"node": node, "policy": policy, "stop": stop, "idle": 0.05}
        )
        started = time.monotonic()
        worker.start()
        try:
            while len(rx.keys("/ok")) < 10 and time.monotonic() - started < 10:
                time.sleep(0.01)
            took = time.monotonic() - started
        finally:
            stop.set()
            worker.join(10)
        # Ten stalled pushes could hold all four threads for a second each; two at a time hold two.
        assert len(rx.keys("/ok")) == 10 and took < 0.9
    (ok,) = webhooks.list_webhooks(node, jo)
    assert (ok.delivered, ok.pending) == (10, 0)
    (slow,) = webhooks.list_webhooks(node, fr)
    assert slow.pending == 10 and slow.delivered == 0  # timed out, retried later; none lost on stopping


def test_an_outcome_never_reopens_a_push_that_left_pending(node: Node) -> None:
    a, target = _watched_by_france(node)
    fr = a["FR-DGSI"]
    hook, _ = webhooks.add_webhook(node, fr, "http://127.0.0.1:9/hook")
    _movement(node, a["DE-BKA"], target.id)
    now = node.now()
    with node.store.transaction() as tx:
        (leased,) = repo(tx).lease_due(now, now + timedelta(minutes=2), 10)
    webhooks.remove_webhook(node, fr, hook.id)  # its pending pushes are withdrawn while this one is out
    with node.store.transaction() as tx:
        repo(tx).finish_many([Outcome(leased.seq, DeliveryState.PENDING, 1, next_at=now, error="HTTP 500")], now)
        (row,) = repo(tx).outbox_rows()
    assert row["state"] == DeliveryState.WITHDRAWN.value
    assert delivery.deliver_once(node, policy=FAST) == DeliveryReport()
