"""Watches alert an agency, among what it may see, when records link to the person or group it watches."""

from __future__ import annotations

import pytest

from factories import person, seed_agencies
from ictdb.model.cooperation import AlertKind, WatchTarget
from ictdb.model.envelope import EnvelopeInput
from ictdb.model.errors import Conflict, NotFound, ValidationError
from ictdb.model.stored import parse_body
from ictdb.services import records, resolution
from ictdb.services.cooperation import inbox, watches
from ictdb.services.node import Node


def _membership(node: Node, actor, person_id: str, **envelope: object):  # type: ignore[no-untyped-def]
    group = records.add_record(
        node, actor, parse_body({"schema": "Organization", "names": ["Katibat al-Test"]}), EnvelopeInput(**envelope)
    )
    body = parse_body({"schema": "Membership", "person": person_id, "organization": group.id})
    return records.add_record(node, actor, body, EnvelopeInput(**envelope))


def test_a_partner_linking_a_record_to_a_watched_person_alerts_the_watcher(node: Node) -> None:
    a = seed_agencies(node)
    target = person(node, a["FR-DGSI"], "Karim Benali")
    watch = watches.add_watch(node, a["FR-DGSI"], target.id, note="returning fighter")
    assert [w.id for w in watches.list_watches(node, a["FR-DGSI"])] == [watch.id]

    link = _membership(node, a["JO-GID"], target.id)
    box = inbox.inbox(node, a["FR-DGSI"])
    assert box.unread == 1
    (alert,) = box.alerts
    assert alert.kind is AlertKind.LINK
    assert alert.record_id == link.id and alert.about_id == target.id
    assert alert.payload["by_agency"] == "JO-GID" and alert.payload["watched"]["caption"] == "Karim Benali"
    # the agency that wrote the link is not alerted about its own act, and others did not watch
    assert inbox.inbox(node, a["JO-GID"]).alerts == []
    assert inbox.mark_read(node, a["FR-DGSI"]) == 1
    assert inbox.inbox(node, a["FR-DGSI"]).unread == 0


def test_links_the_watcher_may_not_see_raise_no_alert(node: Node) -> None:
    a = seed_agencies(node)
    target = person(node, a["FR-DGSI"], "Karim Benali")
    watches.add_watch(node, a["FR-DGSI"], target.id)
    _membership(node, a["JO-GID"], target.id, distribution="owner")
    _membership(node, a["JO-GID"], target.id, distribution="agencies:DE-BKA")
    assert inbox.inbox(node, a["FR-DGSI"]).alerts == []
    assert inbox.unread_count(node, a["FR-DGSI"]) == 0


def test_an_alert_disappears_when_its_record_is_deleted(node: Node) -> None:
    a = seed_agencies(node)
    target = person(node, a["FR-DGSI"], "Karim Benali")
    watches.add_watch(node, a["FR-DGSI"], target.id)
    link = _membership(node, a["JO-GID"], target.id)
    assert inbox.unread_count(node, a["FR-DGSI"]) == 1
    records.delete_record(node, a["JO-GID"], link.id, "entered in error")
    assert inbox.inbox(node, a["FR-DGSI"]).alerts == []
    assert inbox.unread_count(node, a["FR-DGSI"]) == 0


def test_movements_and_designations_of_a_watched_person(node: Node) -> None:
    a = seed_agencies(node)
    target = person(node, a["FR-DGSI"], "Karim Benali")
    watches.add_watch(node, a["FR-DGSI"], target.id)
    movement = records.add_record(
        node,
        a["DE-BKA"],
        parse_body(
            {"schema": "Movement", "person": target.id, "origin": {"country": "TR"}, "destination": {"country": "DE"}}
        ),
    )
    designation = records.add_record(
        node,
        a["IQ-CTS"],
        parse_body({"schema": "Designation", "subject": target.id, "authority": "IQ", "list_name": "national"}),
    )
    records.edit_record(node, a["IQ-CTS"], designation.id, changes={"ended_on": "2026-11-28"}, reason="delisted")
    kinds = [(x.kind, x.payload.get("designation")) for x in reversed(inbox.inbox(node, a["FR-DGSI"]).alerts)]
    assert kinds == [
        (AlertKind.MOVEMENT, None),
        (AlertKind.DESIGNATION, "added"),
        (AlertKind.DESIGNATION, "ended"),
    ]
    first = inbox.inbox(node, a["FR-DGSI"], kind="watch.movement").alerts[0]
    assert first.record_id == movement.id and first.payload["movement"]["to"] == "DE"


def test_watch_refusals(node: Node) -> None:
    a = seed_agencies(node)
    hidden = person(node, a["JO-GID"], "Hidden Man", distribution="owner")
    with pytest.raises(NotFound):
        watches.add_watch(node, a["FR-DGSI"], hidden.id)
    with pytest.raises(NotFound):
        watches.add_watch(node, a["FR-DGSI"], "per-000000000000")
    seen = person(node, a["JO-GID"], "Seen Man")
    watches.add_watch(node, a["FR-DGSI"], seen.id)
    with pytest.raises(Conflict):
        watches.add_watch(node, a["FR-DGSI"], seen.id)
    with pytest.raises(NotFound):
        watches.remove_watch(node, a["DE-BKA"], watches.list_watches(node, a["FR-DGSI"])[0].id)
    movement = records.add_record(
        node, a["FR-DGSI"], parse_body({"schema": "Movement", "person": seen.id, "origin": {"country": "TR"}})
    )
    with pytest.raises(ValidationError):
        watches.add_watch(node, a["FR-DGSI"], movement.id)


def test_a_partner_resolving_records_into_a_watched_cluster_alerts_the_watcher(node: Node) -> None:
    a = seed_agencies(node)
    first = person(node, a["FR-DGSI"], "Karim Benali")
    second = person(node, a["FR-DGSI"], "Karim Ben Ali")
    joiner = person(node, a["JO-GID"], "Kareem Benali")
    hidden = person(node, a["JO-GID"], "K. Benali", distribution="owner")
    resolution.judge(node, a["FR-DGSI"], first.id, second.id, "same")
    watches.add_watch(node, a["FR-DGSI"], first.id, kind=WatchTarget.CLUSTER)

    # a record FR-DGSI may not see joins: nothing; one it may see joins: one alert naming only that record
    resolution.judge(node, a["JO-GID"], hidden.id, second.id, "same")
    assert inbox.inbox(node, a["FR-DGSI"]).alerts == []
    resolution.judge(node, a["JO-GID"], joiner.id, first.id, "same")
    (alert,) = inbox.inbox(node, a["FR-DGSI"]).alerts
    assert alert.kind is AlertKind.CLUSTER and alert.record_id == joiner.id
    assert alert.payload["cluster"] == first.id and alert.payload["by_agency"] == "JO-GID"
    assert hidden.id not in str(alert.payload)
    # the same verdict again joins nothing new; a not-same is no join; the judging agency hears nothing
    resolution.judge(node, a["JO-GID"], joiner.id, first.id, "same")
    other = person(node, a["JO-GID"], "Somebody Else")
    resolution.judge(node, a["JO-GID"], other.id, first.id, "not-same")
    assert len(inbox.inbox(node, a["FR-DGSI"]).alerts) == 1
    assert inbox.inbox(node, a["JO-GID"]).alerts == []


def _person(node: Node, actor, name: str, distribution: str = "members", **body: object):  # type: ignore[no-untyped-def]
    data = {"schema": "Person", "names": [name], **body}
    return records.add_record(node, actor, parse_body(data), EnvelopeInput(distribution=distribution))


def test_automatic_judgements_alert_the_watchers_of_the_cluster_they_grow(node: Node) -> None:
    a = seed_agencies(node)
    first = _person(node, a["FR-DGSI"], "Karim Benali", birth_dates=["1979-03-02"], nationalities=["FR"])
    second = _person(node, a["FR-DGSI"], "Karim Ben Ali", birth_dates=["1979"])
    resolution.judge(node, a["FR-DGSI"], first.id, second.id, "same")
    watches.add_watch(node, a["FR-DGSI"], first.id, kind=WatchTarget.CLUSTER)
    joiner = _person(node, a["JO-GID"], "Karim Benali", birth_dates=["1979-03-02"], nationalities=["FR"])
    hidden = _person(node, a["JO-GID"], "Karim Benali", "owner", birth_dates=["1979-03-02"])

    summary = resolution.resolve(node, a["JO-GID"], threshold=0.7, auto_above=0.9)
    assert summary.auto_judged >= 2  # the joiner and the record FR-DGSI may not see, both into the cluster
    alerts = inbox.inbox(node, a["FR-DGSI"]).alerts
    assert [(x.kind, x.record_id) for x in alerts] == [(AlertKind.CLUSTER, joiner.id)]
    assert alerts[0].payload["by_agency"] == "JO-GID" and alerts[0].payload["cluster"] == first.id
    assert hidden.id not in str(alerts[0].payload)
    # a second run judges nothing new and alerts nobody again
    resolution.resolve(node, a["JO-GID"], threshold=0.7, auto_above=0.9)
    assert len(inbox.inbox(node, a["FR-DGSI"]).alerts) == 1


def test_a_batch_run_judging_same_alerts_the_watchers_of_the_cluster(node: Node) -> None:
    from ictdb.services import splink_batch
    from ictdb.services.directory import node_admin

    a = seed_agencies(node)
    first = ["Omar", "Khalid", "Yusuf", "Ibrahim", "Hassan", "Tariq", "Said", "Anwar"]
    last = ["Haddad", "Qasimi", "Tamimi", "Shami", "Masri", "Halabi", "Rawi", "Juburi"]
    pairs = []
    for i, (given, family) in enumerate((g, f) for g in first for f in last):
        born = f"{1960 + i % 30}-0{1 + i % 9}-1{i % 9}"
        mine = _person(node, a["FR-DGSI"], f"{given} al-{family}", birth_dates=[born])
        theirs = _person(node, a["JO-GID"], f"{given} {family}", birth_dates=[born])
        pairs.append((mine.id, theirs.id))
    watched, joiner = pairs[0]
    watches.add_watch(node, a["FR-DGSI"], watched, kind=WatchTarget.CLUSTER)

    summary = splink_batch.batch_resolve(node, node_admin(node), threshold=0.9, auto_above=0.95)
    assert summary.auto_judged >= 0.8 * len(pairs)
    assert joiner in resolution.cluster_view(node, a["FR-DGSI"], watched).members
    alerts = inbox.inbox(node, a["FR-DGSI"]).alerts
    assert [(x.kind, x.record_id, x.payload["cluster"]) for x in alerts] == [(AlertKind.CLUSTER, joiner, watched)]
