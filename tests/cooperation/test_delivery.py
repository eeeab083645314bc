"""Webhooks: signed pushes from the outbox, back-off and giving up, refused targets, withdrawn alerts."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

import pytest

from conftest import Clock
from cooperation.receiver import receiver
from factories import person, seed_agencies
from ictdb.model.actors import Actor
from ictdb.model.errors import ValidationError
from ictdb.model.stored import parse_body
from ictdb.services import records
from ictdb.services.cooperation import delivery, inbox, watches, webhooks
from ictdb.services.directory import node_admin
from ictdb.services.node import Node

FAST = delivery.DeliveryPolicy(max_attempts=3, base_delay=timedelta(seconds=10), timeout=1.0)


def _movement(node: Node, actor: Actor, person_id: str) -> str:
    body = parse_body(
        {"schema": "Movement", "person": person_id, "origin": {"country": "TR"}, "destination": {"country": "FR"}}
    )
    return records.add_record(node, actor, body).id


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
    a = seed_agencies(node)
    fr = a["FR-DGSI"]
    webhooks.set_private_targets(node, node_admin(node), True)
    target = person(node, fr, "Karim Benali")
    watches.add_watch(node, fr, target.id)
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
    a = seed_agencies(node)
    fr, jo = a["FR-DGSI"], a["JO-GID"]
    webhooks.set_private_targets(node, node_admin(node), True)
    target = person(node, a["DE-BKA"], "Karim Benali")
    watches.add_watch(node, fr, target.id)
    watches.add_watch(node, jo, target.id)
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
    a = seed_agencies(node)
    fr = a["FR-DGSI"]
    webhooks.set_private_targets(node, node_admin(node), True)
    target = person(node, fr, "Karim Benali")
    watches.add_watch(node, fr, target.id)
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
    a = seed_agencies(node)
    fr = a["FR-DGSI"]
    webhooks.set_private_targets(node, node_admin(node), True)
    target = person(node, fr, "Karim Benali")
    watches.add_watch(node, fr, target.id)
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
