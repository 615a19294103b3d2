"""Hostile requests against a running server: each one's time and size, and what they do to a normal query.

    python bench/hostile.py [--archive DIR --index DIR] [--repeat N] [--serve-args "..."]

Run by hand. Starts `arkiv serve` on a free loopback port over the given archive
(default: a copy of the sample archive, indexed first), then
1. asks each hostile request once, alone, and prints its status, seconds and bytes
   against the targets (at most 1 s and 10 MB each);
2. measures a normal query's p95 with the server quiet, then with 10 hostile
   requests running at the same time, and prints the ratio (target: at most 2x).
Every figure is measured in this run; nothing is compared with numbers from elsewhere.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from run import free_port, pct  # noqa: E402  (the benchmark's own helpers)
HOSTILE = {
    "a 500-letter word": {"q": "a" * 500},
    "30x '*a* ?*?* s* *e k?*'": {"q": "*a* ?*?* s* *e k?* " * 30},
    "bare *": {"q": "*"},
    "bare ?*": {"q": "?*"},
    "a range over every word": {"q": "[a TO ö]"},
    "five one-letter prefixes": {"q": "k* s* m* a* b*"},
    "a word the archive lacks": {"q": "fairtradestadsdiplomering"},
    "2,000 theme values": [("theme", f"tema {n}") for n in range(2000)],
    "2,000 theme values, the page": ("/", [("theme", f"tema {n}") for n in range(2000)]),
    "a 500-letter word, the page": ("/", {"q": "a" * 500}),
    "page=² (a Unicode digit)": {"q": "kommun", "page": "²"},
    "limit=³": {"q": "kommun", "limit": "³"},
}
NORMAL = [{"q": q} for q in ("kommun", "hållbar utveckling", "miljöstrategi", "invasiva arter", "naturvård",
                             "upphandling", "grön infrastruktur", "klimat", "uppföljning", "agenda 2030")]


def get(base: str, params, timeout: float = 120.0) -> tuple[int, float, int]:
    path, params = params if isinstance(params, tuple) else ("/api/search", params)
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            status, size = r.status, len(r.read())
    except urllib.error.HTTPError as e:
        status, size = e.code, len(e.read())
    return status, time.perf_counter() - start, size


def normal_p95(base: str, repeat: int) -> float:
    # A query asked again is answered from memory: every round differs by its page size.
    times = [get(base, {**p, "limit": str(1 + n % 20)})[1] for n in range(repeat) for p in NORMAL]
    return pct(times, 95)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path)
    ap.add_argument("--index", type=Path)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the normal queries (default: 3)")
    ap.add_argument("--serve-args", default="", help="more arguments for arkiv serve, e.g. '--workers 2'")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        archive, index = args.archive, args.index
        if archive is None:
            archive, index = Path(tmp) / "archive", Path(tmp) / "index"
            shutil.copytree(REPO / "archive", archive)
        arkiv = [sys.executable, "-m", "webapp.cli"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        subprocess.run([*arkiv, "index", "--archive", str(archive), "--index", str(index)], env=env, check=True,
                       capture_output=True)
        port = free_port()
        server = subprocess.Popen([*arkiv, "serve", "--port", str(port), "--archive", str(archive), "--index",
                                   str(index), *shlex.split(args.serve_args)], env=env,
                                  stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    get(base, {"q": "kommun"}, timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"{'request':34} {'status':>6} {'seconds':>8} {'bytes':>10}  target: <= 1 s, <= 10 MB")
            worst = 0.0
            for name, params in HOSTILE.items():
                status, seconds, size = get(base, params)
                worst = max(worst, seconds)
                ok = "ok" if seconds <= 1 and size <= 10 * 2**20 and status < 500 else "MISSED"
                print(f"{name:34} {status:>6} {seconds:>8.3f} {size:>10,}  {ok}")
            quiet = normal_p95(base, args.repeat)
            stop = threading.Event()

            answered = []

            def attack(params):
                while not stop.is_set():
                    get(base, params)
                    answered.append(1)

            hostile = list(HOSTILE.values())
            threads = [threading.Thread(target=attack, args=(hostile[n % len(hostile)],), daemon=True)
                       for n in range(10)]
            for t in threads:
                t.start()
            began = time.perf_counter()
            loaded = normal_p95(base, args.repeat)
            rate = len(answered) / (time.perf_counter() - began)
            stop.set()
            for t in threads:
                t.join(timeout=120)
            print(f"normal query p95: quiet {quiet * 1000:.0f} ms, with 10 hostile requests running "
                  f"{loaded * 1000:.0f} ms: {loaded / quiet:.1f}x (target <= 2x); meanwhile the server "
                  f"answered {rate:.0f} hostile requests/s")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
