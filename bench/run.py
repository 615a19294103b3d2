"""The scale benchmark: 44k regeringen.se pages plus replicated binaries, every figure beside its baseline.

    python bench/run.py [--work DIR] [--limit N] [--binaries N] [--skip-full]

Run by hand (not in CI); needs ../shared/corpus. Prints a table and writes
bench/results/latest.json and latest.md. Each figure is measured in the same
run as the baseline it is compared to, so ratios hold on a busy machine.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import make_corpus_archive  # noqa: E402

from indexer import IndexSettings, SearchIndex, SearchRequest, update_index  # noqa: E402

ARKIV = [sys.executable, "-m", "webapp.cli"]
# Realistic queries: single words, compounds, inflections, phrases, questions, filters, browsing.
QUERIES: list[dict] = [{"q": q} for q in (
    "klimat", "regeringen", "uppföljning", "miljömål", "strategin", "nätverket", "beslutet", "upphandling",
    "skogsbruk", "naturvård", "invasiva arter", "agenda 2030", "hållbar utveckling", "klimatanpassning",
    "vattenförvaltning", "biologisk mångfald", "energieffektivisering", "cirkulär ekonomi", "avfall",
    "kommunerna", "länsstyrelsen", "skydd av natur", "grön infrastruktur", "utsläpp av växthusgaser",
    "mänskliga rättigheter", "barnkonventionen", "jämställdhet", "digitalisering", "bostadsbyggande",
    "infrastrukturplanering", '"regeringen beslutade"', '"hållbar utveckling"', "vad gäller för bygglov?",
    "hur fungerar elcertifikat?", "hallbar", "klimatlagen", "miljöbalken", "strandskydd", "vindkraft",
    "laddinfrastruktur", "solenergi", "fossilfria transporter", "regeringsuppdrag naturvårdsverket",
    "remiss promemoria", "pressmeddelande klimat", "landsbygd", "livsmedelsstrategi", "krisberedskap",
    "totalförsvar", "skatt på plastbärkassar")]
QUERIES += [
    {"q": "klimat", "group": "pressmeddelanden"}, {"q": "miljö", "year": "2020"},
    {"q": "skog", "group": "regeringsuppdrag", "sort": "newest"}, {"q": "", "group": "remisser"},
    {"q": "", "year": "2019", "group": "pressmeddelanden"}, {"q": "", "sort": "newest"},
    {"q": "vatten", "from": "2015-01-01", "to": "2018-12-31"}, {"q": "energi", "sort": "oldest"},
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, *a, **kw) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*a, **kw)
    return time.perf_counter() - t0, result


def run_cli(args: list[str]) -> tuple[float, int, str]:
    """Run `arkiv` in a child; return wall seconds, the child's peak memory in MiB, and stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(ARKIV + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    # wait4 is gone after communicate(); RUSAGE_CHILDREN gives the largest child so far.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode not in (0, 3):
        raise SystemExit(f"arkiv {' '.join(args)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return elapsed, int(peak), out.decode()


def baseline_extract_and_write(archive: Path, scratch: Path) -> tuple[float, float]:
    """Raw extraction of every file in one process, and a raw Whoosh writer of that text with our schema."""
    from whoosh import index as whoosh_index

    from indexer.extract import extract
    from indexer.index import build_schema

    texts = []
    t0 = time.perf_counter()
    for dirpath, _, files in os.walk(archive):
        for name in files:
            if name.endswith(".toml"):
                continue
            path = Path(dirpath) / name
            try:
                texts.append((str(path.relative_to(archive)), "\n".join(extract(path).pages)))
            except Exception:
                continue
    t_extract = time.perf_counter() - t0
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    ix = whoosh_index.create_in(str(scratch), build_schema())
    t0 = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for doc_id, text in texts:
        writer.add_document(id=doc_id, title=doc_id, content=text, parts=text, spell=text)
    writer.commit()
    return t_extract, time.perf_counter() - t0


def stat_everything(archive: Path) -> float:
    t0 = time.perf_counter()
    for dirpath, _, files in os.walk(archive):
        for name in files:
            os.lstat(os.path.join(dirpath, name))
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str) -> float:
    return fetch(url)[0]


def fetch(url: str) -> tuple[float, bytes]:
    """One GET: its wall seconds and body (an error status raises)."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"{url}: {r.status}")
    return time.perf_counter() - t0, body


def is_partial(body: bytes) -> bool:
    """Whether a search answer says it ran out of its time budget (`"partial": true`)."""
    return bool(json.loads(body).get("partial"))


def distinct_queries(n: int) -> list[dict]:
    """Two-word queries never asked before: what a cache cannot answer."""
    words = [q["q"] for q in QUERIES if q["q"] and " " not in q["q"] and "?" not in q["q"]]
    combos = itertools.chain(itertools.combinations(words, 2), itertools.combinations(words, 3))
    return [{"q": " ".join(c)} for c in itertools.islice(combos, n)]


def load_run(base: str, clients: int, requests: int, queries: list[dict]) -> dict:
    urls = [base + "/api/search?" + urllib.parse.urlencode(q) for q in queries]
    times: list[float] = []
    errors = partial = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        nonlocal errors, partial
        for n in counter:
            try:
                t, body = fetch(urls[n % len(urls)])
                cut = is_partial(body)
                with lock:
                    times.append(t)
                    partial += cut
            except Exception:
                with lock:
                    errors += 1
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"clients": clients, "requests": requests, "errors": errors, "partial": partial,
            "rps": round(len(times) / wall, 1),
            "p50_ms": round(pct(times, 50) * 1000, 1), "p95_ms": round(pct(times, 95) * 1000, 1)}


def vm_hwm_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def _server_pids(pid: int) -> list[int]:
    pids = [pid]
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def server_peak_mib(pid: int) -> int:
    """The largest peak memory of `arkiv serve` and its worker processes (gunicorn's master only
    holds the port; its workers search)."""
    return max(vm_hwm_mib(p) for p in _server_pids(pid))


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) `arkiv serve` and its live worker processes have used so far."""
    total = 0
    for p in _server_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/arkiv-bench"))
    ap.add_argument("--limit", type=int, help="use only N regeringen.se pages (quick runs)")
    ap.add_argument("--binaries", type=int, default=60, help="copies of the sample PDF/DOCX/PPTX files")
    ap.add_argument("--skip-full", action="store_true", help="reuse the index from a previous run")
    args = ap.parse_args()
    work: Path = args.work
    archive, index = work / "archive", work / "index"
    results: dict = {"machine": {"cores": os.cpu_count(), "memory_gib": round(
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30), "python": platform.python_version()}}

    if not args.skip_full:
        n = make_corpus_archive.build(archive, args.limit, args.binaries)
        results["documents"] = n
        print(f"archive: {n} documents in {archive}", flush=True)
        t_extract, t_write = baseline_extract_and_write(archive, work / "raw-whoosh")
        results["baseline"] = {"raw_extract_s": round(t_extract, 1), "raw_whoosh_write_s": round(t_write, 1),
                               "sum_s": round(t_extract + t_write, 1)}
        print(f"baseline: raw extraction {t_extract:.1f} s + raw Whoosh writer {t_write:.1f} s", flush=True)
        for jobs in (1, 2):
            shutil.rmtree(index, ignore_errors=True)
            t, peak, _ = run_cli(["index", "--archive", str(archive), "--index", str(index), "--jobs", str(jobs),
                                  "--json"])
            results[f"full_index_jobs{jobs}"] = {"s": round(t, 1), "peak_mib": peak}
            print(f"full index --jobs {jobs}: {t:.1f} s (peak {peak} MiB)", flush=True)
        results["speedup_jobs2"] = round(results["full_index_jobs1"]["s"] / results["full_index_jobs2"]["s"], 2)
        results["overhead_vs_parts"] = round(results["full_index_jobs1"]["s"] / results["baseline"]["sum_s"], 2)

    t_stat = stat_everything(archive)
    t_noop, _, _ = run_cli(["index", "--archive", str(archive), "--index", str(index), "--json"])
    results["reindex_nothing_changed"] = {"s": round(t_noop, 2), "stat_all_files_s": round(t_stat, 2)}
    print(f"reindex, nothing changed: {t_noop:.2f} s (stat of every file: {t_stat:.2f} s)", flush=True)

    # One changed file: until the new word is searchable.
    victim = next(p for p in sorted(archive.rglob("*.md")))
    with victim.open("a", encoding="utf-8") as f:
        f.write("\nBenchmarkordet zyxkvarts.\n")
    t0 = time.perf_counter()
    update_index(IndexSettings(archive=archive, index_dir=index))
    found = SearchIndex(archive, index).search(SearchRequest(query="zyxkvarts")).total
    t_change = time.perf_counter() - t0
    results["one_change_searchable_s"] = round(t_change, 2)
    print(f"one changed file searchable in {t_change:.2f} s (found: {found})", flush=True)

    # In-process: the full search (facets + snippets) against Whoosh alone on the same parsed query.
    ix = SearchIndex(archive, index)
    ix.search(SearchRequest(query="uppvärmning"))
    full, bare = [], []
    for q in QUERIES:
        req = SearchRequest(query=q["q"], groups=tuple([q["group"]] if "group" in q else ()),
                            years=tuple([q["year"]] if "year" in q else ()), sort=q.get("sort", "relevance"))
        full.append(timed(ix.search, req)[0])
        with ix._borrow() as (_snap, searcher):
            parsed, _, _ = ix._prepare(q["q"], searcher.reader())
            if parsed is not None:
                bare.append(timed(lambda: list(searcher.search(parsed, limit=10)))[0])
    results["query_in_process_ms"] = {
        "full_p50": round(pct(full, 50) * 1000, 1), "full_p95": round(pct(full, 95) * 1000, 1),
        "full_p99": round(pct(full, 99) * 1000, 1),
        "whoosh_only_p50": round(pct(bare, 50) * 1000, 1), "whoosh_only_p95": round(pct(bare, 95) * 1000, 1)}
    print(f"in process: {results['query_in_process_ms']}", flush=True)

    port = free_port()
    server = subprocess.Popen(ARKIV + ["serve", "--archive", str(archive), "--index", str(index),
                                       "--port", str(port)], cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                http_get(base + "/api/search?q=klimat")
                break
            except OSError:
                time.sleep(0.2)
        # Each query asked once, so none is answered from the server's answer cache.
        http_times = [http_get(base + "/api/search?" + urllib.parse.urlencode(q)) for q in QUERIES]
        results["query_http_ms"] = {"p50": round(pct(http_times, 50) * 1000, 1),
                                    "p95": round(pct(http_times, 95) * 1000, 1),
                                    "p99": round(pct(http_times, 99) * 1000, 1)}
        print(f"over HTTP, first time asked: {results['query_http_ms']}", flush=True)
        fresh = distinct_queries(20 * 50 + 20 * 10)
        for clients in (10, 50):
            # Repeating: the fixed list again and again, as popular searches are (mostly cached).
            results[f"load_{clients}_repeating"] = load_run(base, clients, 20 * clients, QUERIES)
            # Distinct: every request a query not asked before (nothing cached).
            batch, fresh = fresh[:20 * clients], fresh[20 * clients:]
            results[f"load_{clients}_distinct"] = load_run(base, clients, 20 * clients, batch)
            print(f"{clients} clients: repeating {results[f'load_{clients}_repeating']}, "
                  f"distinct {results[f'load_{clients}_distinct']}", flush=True)
        results["web_peak_mib"] = server_peak_mib(server.pid)
    finally:
        server.terminate()
        server.wait()

    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
