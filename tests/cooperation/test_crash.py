"""A delivery worker killed mid-way neither loses nor duplicates an alert for the receiver (which dedupes by key).

The worker records push outcomes in batches, so when it dies some pushes have reached the receiver without
their outcome being committed; those, and only those, may be pushed again, under the same key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from cooperation.receiver import receiver
from factories import person, seed_agencies
from ictdb.model.cooperation import DeliveryState
from ictdb.model.stored import parse_body
from ictdb.services import records
from ictdb.services.cooperation import delivery, watches, webhooks
from ictdb.services.cooperation.alerts import repo
from ictdb.services.directory import node_admin
from ictdb.services.node import Node
from ictdb.storage.store import Store

ICTDB = Path(sys.executable).parent / "ictdb"
ALERTS = 40
WORKERS = 2


def test_killing_the_worker_mid_way_loses_and_duplicates_nothing(database_url: str, tmp_path: Path) -> None:
    store = Store.open(database_url)
    node = Node(store)  # the real clock: the worker in the other process reads it too
    try:
        a = seed_agencies(node)
        fr, de = a["FR-DGSI"], a["DE-BKA"]
        webhooks.set_private_targets(node, node_admin(node), True)
        target = person(node, fr, "Karim Benali")
        watches.add_watch(node, fr, target.id)
        with receiver(delay=0.05) as rx:
            webhooks.add_webhook(node, fr, f"{rx.base}/ok")
            for i in range(ALERTS):
                body = {"schema": "Movement", "person": target.id, "origin": {"country": "TR"}, "flight": f"TK{i}"}
                records.add_record(node, de, parse_body(body))
            errors = (tmp_path / "worker.err").open("wb")
            worker = subprocess.Popen(
                [
                    str(ICTDB),
                    "--db",
                    database_url,
                    "deliver",
                    "--workers",
                    str(WORKERS),
                    "--lease",
                    "2",
                    "--idle",
                    "0.1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            deadline = time.monotonic() + 60
            while _delivered(node) < ALERTS // 4 and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.01)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            errors.close()
            recorded_at_kill = {r["key"] for r in _rows(node) if r["state"] == DeliveryState.DELIVERED.value}
            received_at_kill = set(rx.keys())
            assert ALERTS // 4 <= len(recorded_at_kill) < ALERTS, (tmp_path / "worker.err").read_text()
            assert recorded_at_kill <= received_at_kill  # an outcome is recorded only once the push was answered
            time.sleep(2.2)  # the leases of the pushes not yet recorded run out
            policy = delivery.DeliveryPolicy(workers=WORKERS, lease=timedelta(seconds=2))
            for _ in range(10):
                if not delivery.deliver_once(node, policy=policy).delivered:
                    break
            received = rx.keys()
        rows = _rows(node)
        assert len(rows) == ALERTS
        assert {r["state"] for r in rows} == {DeliveryState.DELIVERED.value}
        assert set(received) == {r["key"] for r in rows}  # nothing lost
        sent_twice = {key for key in received if received.count(key) > 1}
        # a push whose delivery was recorded is never sent again; only those unrecorded at the kill may be
        assert not sent_twice & recorded_at_kill
    finally:
        store.close()


def _rows(node: Node) -> list[dict[str, Any]]:
    with node.store.transaction() as tx:
        return repo(tx).outbox_rows()


def _delivered(node: Node) -> int:
    return sum(1 for r in _rows(node) if r["state"] == DeliveryState.DELIVERED.value)
