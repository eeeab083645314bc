"""Hit notices by hit policy, and requests for information from a restricted hit to a grant."""

from __future__ import annotations

import httpx
import pytest

from conftest import Clock
from factories import person, seed_agencies
from ictdb.matching import MatchQuery
from ictdb.model.cooperation import RequestState
from ictdb.model.errors import Conflict, Forbidden, NotFound, ValidationError
from ictdb.services import audit, directory, exports, records
from ictdb.services.cooperation import delivery, inbox, requests, webhooks
from ictdb.services.node import Node
from ictdb.services.search import search

NAME = "Abu Bakr al-Baghdadi"


def test_each_hit_policy_tells_whom_it_should(node: Node) -> None:
    a = seed_agencies(node)
    de, fr = a["DE-BKA"], a["FR-DGSI"]
    told = person(node, de, NAME, distribution="owner", hit_policy="hit-no-hit")
    outcome = search(node, fr, MatchQuery(names=(NAME,)))
    assert outcome.matches == [] and outcome.restricted_owners == ["DE-BKA"]
    assert set(outcome.hit_refs) == {"DE-BKA"}
    (notice,) = inbox.hit_notices(node, de)
    assert notice.record_id == told.id
    assert notice.payload["searcher"] == {"agency": "FR-DGSI", "user": fr.username}
    assert notice.payload["query"] == NAME and notice.payload["action"] == "search"
    assert 0 < notice.payload["score"] <= 1 and notice.payload["at"]
    # the searcher's inbox and its list of askable hits name no record
    assert inbox.inbox(node, fr).alerts == []
    ((hit, owner, query, _source, _at),) = requests.askable_hits(node, fr)
    assert (hit, owner, query) == (outcome.hit_refs["DE-BKA"], "DE-BKA", NAME)


def test_notify_owner_tells_only_the_owner_and_silent_tells_nobody(node: Node) -> None:
    a = seed_agencies(node)
    de, jo, fr = a["DE-BKA"], a["JO-GID"], a["FR-DGSI"]
    notified = person(node, de, NAME, distribution="owner", hit_policy="notify-owner")
    person(node, jo, NAME, distribution="owner", hit_policy="silent")
    outcome = search(node, fr, MatchQuery(names=(NAME,)))
    assert outcome.restricted_owners == [] and outcome.hit_refs == {}
    assert [n.record_id for n in inbox.hit_notices(node, de)] == [notified.id]
    assert inbox.hit_notices(node, jo) == [] and inbox.inbox(node, jo).alerts == []
    assert inbox.inbox(node, fr).alerts == [] and requests.askable_hits(node, fr) == []


def test_analysts_do_not_see_hit_notices(node: Node) -> None:
    from ictdb.model.actors import Actor
    from ictdb.model.vocab import Role

    a = seed_agencies(node)
    person(node, a["DE-BKA"], NAME, distribution="owner", hit_policy="hit-no-hit")
    search(node, a["FR-DGSI"], MatchQuery(names=(NAME,)))
    analyst = Actor(a["DE-BKA"].username, "DE-BKA", frozenset({Role.ANALYST}))
    assert inbox.inbox(node, analyst).alerts == [] and inbox.unread_count(node, analyst) == 0
    with pytest.raises(Forbidden):
        inbox.hit_notices(node, analyst)
    assert inbox.unread_count(node, a["DE-BKA"]) == 1


def test_a_restricted_hit_becomes_a_request_then_a_grant(node: Node, clock: Clock) -> None:
    a = seed_agencies(node)
    de, fr = a["DE-BKA"], a["FR-DGSI"]
    hidden = person(node, de, NAME, distribution="owner", hit_policy="hit-no-hit")
    outcome = search(node, fr, MatchQuery(names=(NAME,)))
    request = requests.open_request(
        node, fr, hit_id=outcome.hit_refs["DE-BKA"], justification="He is on a flight to Paris", urgency="urgent"
    )
    assert request.to_agency == "DE-BKA" and request.state is RequestState.OPEN
    assert request.record_ids == ()  # the asker still does not know which record matched
    assert request.due_at == clock.now + request.urgency.answer_within
    (opened,) = inbox.inbox(node, de, kind="request.opened").alerts
    assert opened.payload["records"][0]["id"] == hidden.id and opened.payload["from_agency"] == "FR-DGSI"
    assert requests.list_requests(node, fr, box="sent")[0].id == request.id
    assert requests.list_requests(node, de, box="received")[0].record_ids == (hidden.id,)
    with pytest.raises(Forbidden):
        requests.grant_request(node, fr, request.id)

    granted = requests.grant_request(node, de, request.id, "shared for the operation")
    assert granted.state is RequestState.GRANTED
    assert records.get_record(node, fr, hidden.id).id == hidden.id
    assert [m.record.id for m in search(node, fr, MatchQuery(names=(NAME,))).matches] == [hidden.id]
    shown = requests.show_request(node, fr, request.id)
    assert shown.record_ids == (hidden.id,)
    assert [m.kind for m in shown.thread] == ["open", "granted"]
    (answered,) = inbox.inbox(node, fr, kind="request.answered").alerts
    assert answered.payload["state"] == "granted" and answered.record_id == hidden.id
    with pytest.raises(Conflict):
        requests.grant_request(node, de, request.id)
    actions = {e.action for e in audit.agency_log(node, de, limit=1000)}
    assert {"request.grant"} <= actions


def test_decline_and_partial_grant(node: Node) -> None:
    a = seed_agencies(node)
    de, fr, jo = a["DE-BKA"], a["FR-DGSI"], a["JO-GID"]
    hidden = person(node, de, NAME, distribution="owner", hit_policy="hit-no-hit")
    ref = search(node, fr, MatchQuery(names=(NAME,))).hit_refs["DE-BKA"]
    first = requests.open_request(node, fr, hit_id=ref, justification="why not")
    with pytest.raises(ValidationError):
        requests.decline_request(node, de, first.id, " ")
    declined = requests.decline_request(node, de, first.id, "source protection")
    assert declined.state is RequestState.DECLINED
    with pytest.raises(NotFound):
        records.get_record(node, fr, hidden.id)
    answer = inbox.inbox(node, fr, kind="request.answered").alerts[0]
    assert (
        answer.record_id is None and answer.payload["records"] == [] and answer.payload["text"] == "source protection"
    )
    assert hidden.id not in str(answer.payload)

    second = requests.open_request(node, fr, hit_id=ref, justification="again, urgently", urgency="immediate")
    partial = requests.answer_request(node, de, second.id, "partially-granted", text="He is known to us; no more.")
    assert partial.state is RequestState.PARTIAL
    with pytest.raises(NotFound):
        records.get_record(node, fr, hidden.id)
    # a third agency sees neither request
    with pytest.raises(NotFound):
        requests.show_request(node, jo, second.id)
    assert requests.list_requests(node, jo) == []


def test_request_refusals(node: Node) -> None:
    a = seed_agencies(node)
    fr, de, jo = a["FR-DGSI"], a["DE-BKA"], a["JO-GID"]
    with pytest.raises(NotFound):
        requests.open_request(node, fr, to="XX-NOPE", justification="x")
    with pytest.raises(ValidationError):
        requests.open_request(node, fr, to="FR-DGSI", justification="x")
    with pytest.raises(ValidationError):
        requests.open_request(node, fr, to="DE-BKA", justification="  ")
    person(node, de, NAME, distribution="owner", hit_policy="hit-no-hit")
    ref = search(node, fr, MatchQuery(names=(NAME,))).hit_refs["DE-BKA"]
    with pytest.raises(NotFound):  # a hit reference is only its searcher's to use
        requests.open_request(node, jo, hit_id=ref, justification="x")
    with pytest.raises(ValidationError):
        requests.open_request(node, fr, hit_id=ref, to="JO-GID", justification="x")
    hidden = person(node, jo, "Somebody Else", distribution="owner")
    with pytest.raises(NotFound):
        requests.open_request(node, fr, record_id=hidden.id, justification="x")


def test_overdue_requests_remind_the_owner_once(node: Node, clock: Clock) -> None:
    a = seed_agencies(node)
    request = requests.open_request(node, a["FR-DGSI"], to="DE-BKA", justification="any travel?", urgency="immediate")
    assert requests.send_reminders(node) == 0
    clock.advance(hours=25)
    assert requests.show_request(node, a["FR-DGSI"], request.id).overdue(clock.now)
    assert requests.send_reminders(node) == 1
    assert requests.send_reminders(node) == 0
    (reminder,) = inbox.inbox(node, a["DE-BKA"], kind="request.reminder").alerts
    assert reminder.payload["request"] == request.id
    assert [m.kind for m in requests.show_request(node, a["DE-BKA"], request.id).thread] == ["open", "reminder"]


def test_a_grant_as_a_copy_keeps_the_owners_handling_code_and_traces_to_the_original(node: Node) -> None:
    a = seed_agencies(node)
    de, fr, jo = a["DE-BKA"], a["FR-DGSI"], a["JO-GID"]
    hidden = person(node, de, NAME, distribution="owner", hit_policy="hit-no-hit", handling="H2")
    ref = search(node, fr, MatchQuery(names=(NAME,))).hit_refs["DE-BKA"]
    request = requests.open_request(node, fr, hit_id=ref, justification="on a flight to Paris")
    with pytest.raises(ValidationError):
        requests.answer_request(node, de, request.id, "declined", text="no", copy=True)

    granted = requests.grant_request(node, de, request.id, "a copy for your file", copy=True)
    (copy_id,) = set(granted.record_ids) - {hidden.id}
    # the asker sees the copy, not the original, and the request names only the copy to it
    with pytest.raises(NotFound):
        records.get_record(node, fr, hidden.id)
    copy = records.get_record(node, fr, copy_id)
    assert requests.show_request(node, fr, request.id).record_ids == (copy_id,)
    assert copy.owner == "DE-BKA" and copy.envelope.handling.value == "H2"
    assert str(copy.envelope.distribution) == "agencies:FR-DGSI"
    assert {(i.scheme, i.value) for i in copy.body.identifiers} == {(requests.COPY_SCHEME, hidden.id)}
    assert [n.value for n in copy.body.names] == [NAME]
    (answered,) = inbox.inbox(node, fr, kind="request.answered").alerts
    assert answered.record_id == copy_id and hidden.id not in str(answered.payload)
    # the asker may not pass it on or change it, a third agency sees nothing, later edits stay with the original
    assert not exports.may_export(fr, copy)
    with pytest.raises(Forbidden):
        records.edit_record(node, fr, copy_id, changes={"notes": "mine now"})
    with pytest.raises(NotFound):
        records.get_record(node, jo, copy_id)
    records.edit_record(node, de, hidden.id, changes={"notes": "new source report"}, reason="update")
    assert records.get_record(node, fr, copy_id).body.notes is None
    (event,) = [e for e in audit.agency_log(node, de, limit=1000) if e.action == "request.grant"]
    assert event.detail["copies"] == {hidden.id: copy_id}


def test_an_answer_stops_naming_a_shared_record_once_the_asker_may_no_longer_see_it(node: Node) -> None:
    """The answer's alert stays in the inbox by its first record; each further record it lists is shown only
    while the asker may still see it, in the inbox and in what is pushed to the asker's webhook."""
    a = seed_agencies(node)
    de, fr = a["DE-BKA"], a["FR-DGSI"]
    kept = person(node, de, NAME, distribution="owner", hit_policy="hit-no-hit")
    withdrawn = person(node, de, NAME + " Jr", distribution="owner", hit_policy="hit-no-hit")
    webhooks.set_private_targets(node, directory.node_admin(node), True)
    webhooks.add_webhook(node, fr, "http://127.0.0.1/fr")
    ref = search(node, fr, MatchQuery(names=(NAME,))).hit_refs["DE-BKA"]
    request = requests.open_request(node, fr, hit_id=ref, justification="both of them")
    requests.grant_request(node, de, request.id)
    (answered,) = inbox.inbox(node, fr, kind="request.answered").alerts
    assert {r["id"] for r in answered.payload["records"]} == {kept.id, withdrawn.id}

    first_listed = answered.record_id
    other = withdrawn if first_listed == kept.id else kept
    records.delete_record(node, de, other.id, "source withdrawn")
    (answered,) = inbox.inbox(node, fr, kind="request.answered").alerts
    assert [r["id"] for r in answered.payload["records"]] == [first_listed]
    assert other.id not in str(answered.payload)

    pushed: list[bytes] = []

    def capture(sent: httpx.Request) -> httpx.Response:
        pushed.append(sent.content)
        return httpx.Response(204)

    delivery.deliver_once(node, transport=httpx.MockTransport(capture))
    answers = [body for body in pushed if b"request.answered" in body]
    assert answers and all(first_listed.encode() in body and other.id.encode() not in body for body in answers)
