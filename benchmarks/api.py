"""API benchmark: ``POST /api/v1/match`` with one query, through ``ictdb serve``, loaded by ``wrk`` on loopback.

The node holds the UN Security Council list, OFAC's SDN list (from ``../shared/data/sanctions``) and N
generated persons (``generate.py``; 100,000 by default), in a fresh SQLite database. The server runs as
``ictdb serve`` with one worker per core; every worker is warmed up (its name index built) before measuring.
Then ``wrk`` sends single-query match requests (names in Arabic, Cyrillic and Latin script, drawn from the
generated persons and the lists) with 1, 8 and 64 concurrent connections, and its Lua ``done`` hook reports
latency percentiles (p50/p95/p99) and throughput.

Needs ``wrk``: ``apt-get install -y wrk`` (Debian). Usage: ``python benchmarks/api.py [--persons 100000]
[--duration 20] [--workers N]``. Prints a table, writes ``benchmarks/out/api.json`` and replaces the "API"
section of ``benchmarks/RESULTS.md``. A benchmark, not a test: it asserts nothing about time.

Anchor: OpenSanctions' yente publishes about 4 requests/s per vCPU for its logic-v2 matcher. Targets: p99
under 50 ms at 8 clients, and at least 100 times yente's throughput per core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_persons, write_jsonl  # noqa: E402
from ingest import ICTDB, OUT, RESULTS, machine, replace_section, run_measured  # noqa: E402

SANCTIONS = HERE.parent.parent / "shared" / "data" / "sanctions"
AGENCY = "JO-BENCH"
USER = "analyst.bench"
CONCURRENCY = (1, 8, 64)
YENTE_PER_CORE = 4.0
TARGET_P99_MS = 50.0
TARGET_FACTOR = 100


def ictdb(url: str, *args: str) -> str:
    return run_measured([str(ICTDB), "--db", url, *args]).output


def load_node(persons: int, seed: int) -> str:
    path = OUT / "api.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    data = OUT / f"api-{persons}.jsonl"
    print(f"generating {persons} persons", file=sys.stderr)
    write_jsonl(generate_persons(persons, seed), data)
    ictdb(url, "init", "--agency", AGENCY, "--name", "Benchmark agency", "--country", "JO")
    ictdb(url, "user", "create", USER, "--agency", AGENCY, "--role", "analyst")
    for args in (
        ("import", "un-sc", str(SANCTIONS / "un" / "consolidated.xml")),
        ("import", "ofac-sdn", str(SANCTIONS / "ofac-2019")),
        ("--as", AGENCY, "import", "entities", str(data)),
    ):
        print(f"ictdb {' '.join(args)}", file=sys.stderr)
        ictdb(url, *args)
    return url


def last_write(url: str) -> None:
    """One ordinary record written after the bulk load, as on any live node: the name index then catches up
    with one write since it was built, not with none."""
    one = OUT / "api-last-write.jsonl"
    one.write_bytes(orjson.dumps({"id": "last-write", "schema": "Person", "names": ["Last Write Person"]}) + b"\n")
    ictdb(url, "--as", AGENCY, "import", "entities", str(one))


def query_names(persons: int, seed: int, count: int = 400) -> list[str]:
    """Names to ask for: from the generated persons (three scripts) and the lists, shuffled with a fixed seed."""
    rng = random.Random(seed)
    names = [line["names"][0] for line in generate_persons(min(persons, 5000), seed) if line["schema"] == "Person"]
    for line in (SANCTIONS / "ofac-2019" / "sdn.csv").read_text(encoding="latin-1").splitlines()[:3000]:
        fields = line.split(",")
        if len(fields) > 2 and fields[2].strip('"') == "individual":
            names.append(fields[1].strip('"'))
    rng.shuffle(names)
    return names[:count]


def lua_script(token: str, names: list[str]) -> Path:
    bodies = [
        orjson.dumps({"queries": {"q": {"schema": "Person", "properties": {"name": [n]}}}}).decode() for n in names
    ]
    table = ",\n".join(f"[==[{b}]==]" for b in bodies if "]==]" not in b)
    script = OUT / "api-match.lua"
    script.write_text(
        f"""local bodies = {{
{table}
}}
local i = math.random(#bodies)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/api/v1/match", nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {{"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
""",
        encoding="utf-8",
    )
    return script


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ICTDB_SESSION_KEY": "benchmark only"}
    log = (OUT / "api-server.log").open("wb")
    args = [str(ICTDB), "--db", url, "serve", "--port", str(port), "--workers", str(workers), "--no-access-log"]
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def warm_up(base: str, token: str, names: list[str], workers: int) -> None:
    """Every worker builds its name index on its first search: ask until answers come back fast everywhere.

    Each request comes on a new connection: over kept-alive connections every request of the warm-up could go
    to the worker that took those connections, and another worker then built its index during a measured run
    (once seen: 226 requests/s at eight clients, against 540 in the runs before and after)."""
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    deadline = time.monotonic() + 900
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        while time.monotonic() < deadline:
            try:
                if client.get("/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)

        def one(name: str) -> float:
            started = time.perf_counter()
            body = {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}}
            answer = client.post("/api/v1/match", json=body)
            answer.raise_for_status()
            return time.perf_counter() - started

        previous = float("inf")
        fast_rounds = 0
        with ThreadPoolExecutor(max_workers=workers * 4) as pool:
            while time.monotonic() < deadline:
                slowest = max(pool.map(one, names[: workers * 16]))
                print(f"warm-up: slowest of a round {slowest * 1000:.0f} ms", file=sys.stderr)
                # warm once answers are fast in three rounds running, or, after two slow rounds running, no
                # faster than the round before (every index is built, on a host where searches are slow)
                if slowest < 0.5:
                    fast_rounds += 1
                    if fast_rounds == 3:
                        return
                    continue
                if fast_rounds == 0 and slowest > previous * 0.8:
                    return
                fast_rounds = 0
                previous = slowest
    raise SystemExit("the server did not warm up in 15 minutes")


def run_wrk(base: str, script: Path, clients: int, duration: int) -> dict[str, Any]:
    threads = min(clients, os.cpu_count() or 1)
    args = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s", "-s", str(script)]
    output = subprocess.run([*args, base], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    result["clients"] = clients
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def table(results: list[dict[str, Any]], cores: int) -> str:
    rows = [
        "| clients | requests | req/s | req/s per core | x yente per core | p50 ms | p95 ms | p99 ms | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        per_core = r["rps"] / cores
        rows.append(
            f"| {r['clients']} | {r['requests']:,} | {r['rps']:,.0f} | {per_core:,.0f} | {per_core / YENTE_PER_CORE:,.0f} | "
            f"{r['p50_us'] / 1000:.1f} | {r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors'] + r['non2xx']} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Single-query /api/v1/match latency and throughput under wrk.")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per concurrency level")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="serve the node loaded by the previous run")
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md (for trial runs)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if not ICTDB.exists():
        raise SystemExit(f"{ICTDB} not found: run `make install` first")
    OUT.mkdir(exist_ok=True)
    info = machine() | {"date": datetime.now(UTC).strftime("%Y-%m-%d")}
    url = f"sqlite:///{OUT / 'api.sqlite3'}" if args.reuse else load_node(args.persons, args.seed)
    last_write(url)
    token = json.loads(ictdb(url, "--json", "--as", f"{AGENCY}:{USER}", "token", "create", USER))["secret"]
    names = query_names(args.persons, args.seed)
    script = lua_script(token, names)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, port, args.workers)
    # stopped from outside (timeout, Ctrl-C): still take the server down with us
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        warm_up(base, token, names, args.workers)
        results = []
        for clients in CONCURRENCY:
            print(f"wrk: {clients} clients for {args.duration}s", file=sys.stderr)
            results.append(run_wrk(base, script, clients, args.duration))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # requests of the last run still queued: no need to finish them
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
    info["load_after"] = round(os.getloadavg()[0], 1)
    cores = info["cores"]
    print(table(results, cores))
    (OUT / "api.json").write_text(json.dumps({"machine": info, "persons": args.persons, "results": results}, indent=2))
    if args.no_results:
        return 0
    at8 = next(r for r in results if r["clients"] == 8)
    best = max(r["rps"] for r in results) / cores / YENTE_PER_CORE
    section = "\n".join(
        [
            "## API",
            "",
            f"`make bench-api` on {info['date']}: {cores} cores ({info['cpu']}), {info['memory_gb']} GB memory, Python "
            f"{info['python']}. UN and OFAC lists plus {args.persons:,} generated persons in SQLite; `ictdb serve` with "
            f"{args.workers} workers on loopback; `wrk` for {args.duration} s per row, each request one `/api/v1/match` "
            "query (a name in Arabic, Cyrillic or Latin script). The load generator shares the cores with the server. "
            "One ordinary record is written after the bulk load, as on any live node. "
            f"Other work on the machine: load average {info['load_before']} at the start, {info['load_after']} at the end.",
            "",
            table(results, cores),
            "",
            f"Targets: p99 < {TARGET_P99_MS:.0f} ms at 8 clients: {at8['p99_us'] / 1000:.1f} ms, "
            f"{'met' if at8['p99_us'] / 1000 < TARGET_P99_MS else 'missed'}; throughput >= {TARGET_FACTOR}x yente's "
            f"{YENTE_PER_CORE:.0f} requests/s per vCPU (logic-v2): best {best:,.0f}x, "
            f"{'met' if best >= TARGET_FACTOR else 'missed'}.",
            "",
        ]
    )
    replace_section(RESULTS, "API", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
