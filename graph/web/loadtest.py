"""A load test of `repnet serve`: concurrent clients with quick queries while runaway queries run.

    python -m repnet.graph.web.loadtest [--store DIR] [--clients 20] [--seconds 30] [--think 0.0]
                                    [--workers 2] [--slow-workers 2] [--memory-limit 1024]
                                    [--timeout 10] [--no-runaways] [--json FILE]

It starts `repnet serve` on a free port of 127.0.0.1 (nothing else is contacted) over ``--store``
(default: the shipped data built into a temporary store), then for ``--seconds``:

* ``--clients`` threads each send quick requests one after another (``--think`` seconds apart):
  small SELECTs and ASKs, an entity page and the VoID description, in turn;
* two runaway clients each send one runaway query after another: a memory-hungry one (an ORDER BY
  over a three-way cross product of the store, gigabytes within seconds) and a CPU-bound one (a
  four-way cross product of the vocabulary graph, hours of work);
* a monitor samples the resident memory of the server and of each of its workers every 0.1 s.

It prints the quick requests' latency percentiles and status counts, what became of each runaway
query (status, seconds, the first words of the message), and the peak memory of the server, of
the largest worker and of all of them together, against the bound the limits promise:
(``--workers`` + ``--slow-workers``) x ``--memory-limit`` plus the server. Bounded in time
(``--seconds`` plus the time to stop) and in requests (``--max-requests``). Not a test: timings
depend on the machine; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
CPU_HOG = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/repnet/graph/vocabulary> {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } }"""
QUICK = [
    ("GET", "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:Person }"})),
    ("GET", "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l } LIMIT 20"})),
    ("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s a schema:Person }"})),
    ("GET", "/id/person/nasta-loika?format=turtle"),
    ("GET", "/.well-known/void"),
]


def child_pids(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux /proc)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def is_gone(pid: int) -> bool:
    """True when ``pid`` has exited (or is a zombie waiting to be reaped)."""
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 120) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
        if body is not None:
            headers["Content-Type"] = "application/sparql-query"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s))) - 1))]


def run(a: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="repnet-loadtest-"))
    store = Path(a.store) if a.store else work / "store"
    if not a.store:
        subprocess.run([sys.executable, "-m", "repnet.cli", "-q", "--store", str(store), "build"], check=True,
                       stdout=subprocess.DEVNULL)
    log = open(work / "serve.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "repnet.cli", "--store", str(store), "serve", "--host", "127.0.0.1", "--port", "0",
         "--workers", str(a.workers), "--slow-workers", str(a.slow_workers), "--memory-limit", str(a.memory_limit),
         "--timeout", str(a.timeout), "--slow-after", str(a.slow_after)],
        stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 60)
        line = server.stdout.readline() if ready else ""
        if " on http://127.0.0.1:" not in line:
            raise SystemExit(f"the server did not start: {line!r}; see {work / 'serve.log'}")
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        return _load(a, server.pid, port) | {"server_line": line.strip()}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        server.stdout.close()  # type: ignore[union-attr]
        log.close()


def _load(a: argparse.Namespace, server_pid: int, port: int) -> dict[str, Any]:
    stop = time.monotonic() + a.seconds
    quick: list[tuple[float, int]] = []
    runaways: list[dict[str, Any]] = []
    errors: list[str] = []
    mem: dict[str, Any] = {"server": 0, "worker": 0, "total": 0, "workers_seen": set()}
    lock = threading.Lock()
    sent = [0]

    def client(i: int) -> None:
        n = i
        while time.monotonic() < stop:
            with lock:
                if sent[0] >= a.max_requests:
                    return
                sent[0] += 1
            method, path = QUICK[n % len(QUICK)]
            n += 1
            t0 = time.monotonic()
            try:
                status, body = _request(port, method, path, timeout=a.timeout + 30)
            except OSError as e:
                status, body = 0, str(e).encode()  # refused or reset
            with lock:
                quick.append((time.monotonic() - t0, status))
                if status != 200 and len(errors) < 20:
                    errors.append(f"{status} after {time.monotonic() - t0:.2f} s for {path[:60]}: "
                                  f"{body.decode('utf-8', 'replace').strip()[:120]}")
            if a.think:
                time.sleep(a.think)

    def runaway(kind: str, query: str) -> None:
        time.sleep(1.0)  # the quick clients are running first
        while time.monotonic() < stop - 1:
            t0 = time.monotonic()
            try:
                status, body = _request(port, "POST", "/sparql", query.encode(), timeout=a.timeout + 30)
            except OSError as e:
                status, body = 0, str(e).encode()
            with lock:
                runaways.append({"kind": kind, "status": status, "seconds": round(time.monotonic() - t0, 2),
                                 "message": body.decode("utf-8", "replace").strip()[:160]})

    def monitor() -> None:
        while time.monotonic() < stop + 1:
            kids = child_pids(server_pid)
            server_rss = _rss(server_pid)
            worker_rss = [_rss(k) for k in kids]
            with lock:
                mem["workers_seen"] |= kids
                mem["server"] = max(mem["server"], server_rss)
                mem["worker"] = max([mem["worker"], *worker_rss])
                mem["total"] = max(mem["total"], server_rss + sum(worker_rss))
            time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
    if not a.no_runaways:
        threads += [threading.Thread(target=runaway, args=("memory", MEMORY_HOG)),
                    threading.Thread(target=runaway, args=("cpu", CPU_HOG))]
    threads.append(threading.Thread(target=monitor))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = [s for s, _ in quick]
    statuses: dict[str, int] = {}
    for _, st in quick:
        statuses[str(st)] = statuses.get(str(st), 0) + 1
    mb = 1024 * 1024
    return {
        "clients": a.clients, "seconds": a.seconds, "think": a.think,
        "quick_requests": len(quick), "quick_statuses": statuses, "quick_errors": errors,
        "quick_ms": {"p50": round(_pct(secs, 50) * 1000, 1), "p95": round(_pct(secs, 95) * 1000, 1),
                     "p99": round(_pct(secs, 99) * 1000, 1), "max": round(max(secs, default=0) * 1000, 1),
                     "mean": round(statistics.fmean(secs) * 1000, 1) if secs else None},
        "runaways": runaways,
        "memory_mb": {"server_peak": round(mem["server"] / mb), "largest_worker_peak": round(mem["worker"] / mb),
                      "all_peak": round(mem["total"] / mb),
                      "bound": f"({a.workers} + {a.slow_workers}) x {a.memory_limit} MB + the server",
                      "workers_started": len(mem["workers_seen"])},
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m repnet.graph.web.loadtest", description=__doc__.split("\n\n")[0])
    p.add_argument("--store", help="a built store (default: the shipped data, built into a temporary store)")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--think", type=float, default=0.0, help="pause of each quick client between requests (s)")
    p.add_argument("--max-requests", type=int, default=200_000, help="stop after this many quick requests")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--slow-workers", type=int, default=2)
    p.add_argument("--slow-after", type=float, default=0.25)
    p.add_argument("--memory-limit", type=int, default=1024, metavar="MB")
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--no-runaways", action="store_true", help="quick clients only (the baseline)")
    p.add_argument("--json", help="also write the report to this file")
    a = p.parse_args(argv)
    report = run(a)
    q = report["quick_ms"]
    print(report["server_line"])
    print(f"{report['quick_requests']:,} quick requests from {a.clients} clients in {a.seconds:g} s "
          f"(statuses {report['quick_statuses']}): p50 {q['p50']} ms, p95 {q['p95']} ms, p99 {q['p99']} ms, "
          f"max {q['max']} ms")
    for err in report["quick_errors"]:
        print(f"quick request answered {err}")
    for r in report["runaways"]:
        print(f"runaway {r['kind']:6}: {r['status']} after {r['seconds']:.1f} s: {r['message'][:110]}")
    m = report["memory_mb"]
    print(f"memory peaks: server {m['server_peak']} MB, largest worker {m['largest_worker_peak']} MB, all together "
          f"{m['all_peak']} MB (bound {m['bound']}); {m['workers_started']} workers seen")
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
