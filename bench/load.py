#!/usr/bin/env python3
"""Throughput over HTTP with many clients asking never-asked queries: this checkout against another.

    python bench/load.py --archive DIR --index DIR --baseline CHECKOUT [--clients 50] [--requests 600]
                         [--workers N] [--rounds 1] [--seed 1]

Run by hand. For each checkout in turn (same index, the same SCHEMA_VERSION), starts
`arkiv serve --workers N` through its own PYTHONPATH on a free loopback port, warms
it with bench/run.py's fixed query list (as a server that has been up a while is
warm), then lets `--clients` threads ask `--requests` queries nobody asked before,
each once: half two-word topics from bench/run.py's words, half two words drawn
from the archive's own vocabulary (so some are rare and some misspelt-looking,
as typed words are). Prints requests/s, p50/p95/max, errors and answers past the
time budget per kind and checkout, the server's CPU time per request (its
processes' user + system time over the run: steadier than requests/s on a shared
machine), and this checkout's figures over the baseline's. The load clients run on
the same machine and take CPU from the server.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from run import QUERIES, fetch, free_port, is_partial, pct, server_cpu_seconds, server_peak_mib  # noqa: E402


def vocabulary(index_dir: Path, n: int, rng: random.Random) -> list[str]:
    """`n` words of the archive's spelling field, drawn evenly over its terms (most are rare)."""
    sys.path.insert(0, str(REPO))
    from whoosh import index as whoosh_index

    from indexer.index import whoosh_dir

    ix = whoosh_index.open_dir(str(whoosh_dir(index_dir)))
    with ix.reader() as reader:
        terms = [t.decode("utf-8") for t in reader.lexicon("spell")]
    return rng.sample(terms, min(n, len(terms)))


def never_asked(index_dir: Path, requests: int, seed: int) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    common = [q["q"] for q in QUERIES if q["q"] and " " not in q["q"] and "?" not in q["q"] and '"' not in q["q"]]
    half = requests // 2
    topics = list(dict.fromkeys(" ".join(rng.sample(common, 2)) for _ in range(half * 3)))[:half]
    vocab = vocabulary(index_dir, 2 * (requests - half), rng)
    typed = [f"{a} {b}" for a, b in zip(vocab[::2], vocab[1::2])]
    return {"topics": [{"q": q} for q in topics], "vocabulary": [{"q": q} for q in typed]}


def load(base: str, clients: int, queries: list[dict]) -> dict:
    urls = [base + "/api/search?" + urllib.parse.urlencode(q) for q in queries]
    times: list[float] = []
    errors = partial = 0
    lock = threading.Lock()
    todo = iter(urls)

    def client():
        nonlocal errors, partial
        for url in todo:
            try:
                t, body = fetch(url)
                with lock:
                    times.append(t)
                    partial += is_partial(body)
            except Exception:
                with lock:
                    errors += 1
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"n": len(times), "rps": len(times) / wall, "p50": pct(times, 50) if times else 0,
            "p95": pct(times, 95) if times else 0, "max": max(times, default=0), "errors": errors,
            "partial": partial}


def serve(tree: Path, archive: Path, index_dir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(tree))
    server = subprocess.Popen([sys.executable, "-m", "webapp.cli", "serve", "--archive", str(archive),
                               "--index", str(index_dir), "--port", str(port), "--workers", str(workers)],
                              cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            fetch(base + "/api/search?q=klimat")
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"{tree}: the server did not answer on {base}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--baseline", type=Path, required=True, help="another checkout of this repository")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    results: dict[str, dict[str, list[dict]]] = {"this": {}, "baseline": {}}
    memory: dict[str, int] = {}
    for r in range(args.rounds):
        asked = never_asked(args.index, args.requests, args.seed + r)
        for name, tree in (("this", REPO), ("baseline", args.baseline.resolve())):
            server, base = serve(tree, args.archive, args.index, args.workers)
            try:
                for q in QUERIES:  # warm, as a server that has been up a while is
                    fetch(base + "/api/search?" + urllib.parse.urlencode(q))
                for kind, queries in asked.items():
                    cpu = server_cpu_seconds(server.pid)
                    run = load(base, args.clients, queries)
                    run["cpu"] = (server_cpu_seconds(server.pid) - cpu) / max(run["n"], 1)
                    results[name].setdefault(kind, []).append(run)
                memory[name] = max(memory.get(name, 0), server_peak_mib(server.pid))
            finally:
                server.terminate()
                server.wait()
    print(f"{args.clients} clients, {args.workers} worker(s), {args.requests} never-asked queries a round, "
          f"{args.rounds} round(s)")
    print(f"{'kind':<11} {'checkout':<9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>8} {'max ms':>8} {'errors':>6} "
          f"{'partial':>7} {'server CPU ms/req':>17}")
    for kind in ("topics", "vocabulary"):
        for name in ("this", "baseline"):
            runs = results[name][kind]
            rps = sum(x["rps"] for x in runs) / len(runs)
            print(f"{kind:<11} {name:<9} {rps:>7.1f} {max(x['p50'] for x in runs) * 1000:>7.0f} "
                  f"{max(x['p95'] for x in runs) * 1000:>8.0f} {max(x['max'] for x in runs) * 1000:>8.0f} "
                  f"{sum(x['errors'] for x in runs):>6} {sum(x['partial'] for x in runs):>7} "
                  f"{sum(x['cpu'] for x in runs) / len(runs) * 1000:>17.1f}")
        ratio = (sum(x["rps"] for x in results["this"][kind]) / sum(x["rps"] for x in results["baseline"][kind]))
        cpu = (sum(x["cpu"] for x in results["this"][kind]) / sum(x["cpu"] for x in results["baseline"][kind]))
        print(f"{kind:<11} req/s this / baseline: {ratio:.2f}; server CPU per request this / baseline: {cpu:.2f}")
    print("server peak memory (largest process): " + ", ".join(f"{k} {v} MiB" for k, v in memory.items()))


if __name__ == "__main__":
    main()
