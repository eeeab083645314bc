"""The busiest statements run on the driver's cursor: they must read and write exactly what SQLAlchemy's own
execution does, on SQLite and PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories import person, seed_agencies
from ictdb.model.vocab import Role
from ictdb.services import auth, records
from ictdb.services.node import Node
from ictdb.storage import tables as t
from ictdb.storage.audit import AuditEvent
from ictdb.storage.direct import Direct


def test_a_row_read_directly_holds_the_same_values_and_types_as_sqlalchemys(node: Node) -> None:
    actors = seed_agencies(node)
    auth.issue_token(node, actors["FR-DGSI"], label="reads")
    for statement in (select(t.users), select(t.tokens), select(t.agencies)):
        with node.store.transaction() as tx:
            expected = [tuple(row) for row in tx.connection.execute(statement)]
            direct = [tuple(row) for row in Direct(statement).rows(tx.connection)]
        assert direct == expected
        assert [[type(v) for v in row] for row in direct] == [[type(v) for v in row] for row in expected]


def test_records_read_by_id_are_exactly_the_visible_ones_for_any_number_of_ids(node: Node) -> None:
    actors = seed_agencies(node)
    owner, other = actors["FR-DGSI"], actors["JO-GID"]
    shared = [person(node, owner, f"Shared Person {i}", distribution="members") for i in range(9)]
    private = [person(node, owner, f"Owner Only {i}", distribution="owner") for i in range(4)]
    deleted = shared.pop()
    records.delete_record(node, owner, deleted.id, reason="entered twice")
    viewer = node.viewer(other)
    every = [r.id for r in shared + private] + [deleted.id, "no-such-record"]
    # counts below, at and above the padding's powers of two, and over one chunk of 256
    for count in (1, 2, 3, 4, 5, 8, 9, len(every)):
        wanted = every[:count]
        with node.store.transaction() as tx:
            found = tx.records.get_many(viewer, wanted)
        assert set(found) == {rid for rid in wanted if rid in {r.id for r in shared}}
    many = [r.id for r in shared] * 40 + ["missing"] * 300
    with node.store.transaction() as tx:
        assert set(tx.records.get_many(viewer, many)) == {r.id for r in shared}
        assert tx.records.get(viewer, private[0].id) is None
        assert tx.records.get(node.viewer(owner), private[0].id) == private[0]


def test_a_direct_write_rolls_back_with_its_transaction(node: Node) -> None:
    seed_agencies(node)
    with node.store.transaction() as tx:
        before = tx.connection.execute(select(t.audit_head.c.seq)).scalar()
    with pytest.raises(RuntimeError), node.store.transaction() as tx:
        tx.audit.append(AuditEvent(username="u", agency="FR-DGSI", action="doomed"), node.now(), {})
        raise RuntimeError("the work this event describes failed")
    with node.store.transaction() as tx:
        assert tx.connection.execute(select(t.audit_head.c.seq)).scalar() == before
        assert "doomed" not in {e.action for e in tx.audit.events(limit=1000)}
        checked, breaks = tx.audit.verify()
    assert checked == before and not breaks


def test_a_token_holder_read_directly_is_refused_once_revoked(node: Node) -> None:
    actor = seed_agencies(node)["FR-DGSI"]
    issued = auth.issue_token(node, actor, label="short")
    assert Role.ANALYST in auth.authenticate_token(node, issued.secret).roles
    auth.revoke_token(node, actor, issued.id)
    with pytest.raises(Exception, match="invalid or expired"):
        auth.authenticate_token(node, issued.secret)
