"""Where one machine ends: the regeringen.se corpus at x0.25 to x4 documents, indexed and searched.

    python bench/scale.py [--sizes 0.25,0.5,1,2,4] [--work DIR] [--queries N] [--clients N]
                          [--requests N] [--keep] [--results DIR] [--replot]

Run by hand (not in CI); needs ../shared/corpus. For each size it lays out an
archive with `make_corpus_archive`'s layout (a group per section, a folder per
month: its `pages`, `place` and `write_config` are imported), then measures

* the full index: `arkiv index --jobs 2` in a child process, wall seconds;
* the index folder's size on disk (every file's bytes, as MiB);
* the indexer's peak memory, two ways: the largest single process, which is the
  `ru_maxrss` that `os.wait4` returns for the index child (the kernel's maximum
  over that child and every descendant it reaped, i.e. the largest one of them,
  not a sum; the same figure `/usr/bin/time -v` prints as "Maximum resident set
  size"), and all the indexer's processes together (the sum of PSS over the
  child and its live descendants, sampled every 0.25 s from /proc, so a short
  peak between two samples can be missed). `getrusage(RUSAGE_CHILDREN)` is not
  used: in this process it is the maximum over every child reaped so far,
  earlier sizes' indexers and servers included;
* `arkiv serve --workers 2` (gunicorn: two worker processes of 4 threads, as on
  this 2-core machine by default) on a free loopback port: one client asking N never-asked two-word
  queries one after another (p50/p95), then C clients at once asking R more
  never-asked ones (bench/run.py's `load_run`: requests/s, p95, errors), and the
  largest web process's peak memory (VmHWM from /proc/<pid>/status, as run.py
  reads it, of the master and each worker: the target is per worker). VmHWM
  counts a page of a mapped file once per mapping, so it overstates physical
  memory; each process's PSS, RssAnon and RssFile are therefore also sampled
  every 0.25 s from warm-up to the end of the load run (each field's largest
  value in any one process). Every answer is checked for `"partial": true` (a search that ran
  past its 1 s budget answers with what it had), since a cut search bounds
  latency by the budget rather than by the index.

The queries: words drawn with a fixed seed from the corpus's own vocabulary
(letters only, 4-20 of them, not a Swedish stop word, in at least 5 pages;
links stripped first), each word weighted by the number of pages it occurs in,
the way people search for the words documents share rather than hapaxes (22%
of the draws are words found in over 5% of the pages, such as "regeringen",
"uppdrag", "förslag"; most are rarer: "remissvaren", "euron"). Pairs
are distinct and every query is asked once, so no answer comes from the
server's cache of the last 512 answers. The same queries are asked at every size.

Sizes below 1 are deterministic subsets of the pages in tar order: page i is
taken when int((i+1)*f) > int(i*f), i.e. every 4th page for x0.25 and every 2nd
for x0.5. Sizes above 1 add copies (x2: one more per page, x4: three more); a
fractional rest takes that share of pages the same way. An extra copy is not a
duplicate: a duplicate repeats each document's bag of words, so every term's
postings would be the same list twice and two-word queries would meet the same
co-occurrences twice, which flatters an index's size and its intersections.
Copy k of page P in section S is re-cut: P's heading, then the first half of
P's paragraphs and the second half of the paragraphs of a partner page Q from
the same section (a seeded shuffle of S's pages per copy; Q != P where S has
more pages), the combined paragraphs shuffled by an RNG seeded with (seed, k, P).
A page of fewer than four paragraphs is cut into sentences instead, a
one-sentence page (17% of the corpus) into the two halves of its words, and a
page that is only a heading (4%) gets the halves of its and Q's heading words.
An odd middle piece goes to either half by a coin toss, so a copy is on average
as long as the pages it is cut from (checked: 1.00x in characters). Still, 1.2%
of the x4 copies equal an existing page (headings that differ in one word, such
as the travel advisories "<land> - avrådan"; the corpus itself repeats 396
texts). So each copy is a new combination of terms, its length mixes two
pages' lengths, the same-section partner keeps topical words together, and
sentences stay real Swedish, so phrases and snippets behave as in the corpus.
Words were not permuted within sentences: that keeps every document's term
counts exactly (a duplicate for scoring and postings weights) and breaks phrase
positions. The vocabulary stays the corpus's own: no word is invented. A copy
is filed in its page's own month folder as `<name>-kopia<k>.md` (a name at the
255-byte limit loses the end of its stem).

Writes bench/results/scale.json and scale.png (or into --results). Other work
may share the machine; each size records the 1-minute load average before and
after it, and the JSON says so.
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import make_corpus_archive  # noqa: E402
from run import fetch, free_port, is_partial, load_run, pct, server_cpu_seconds, vm_hwm_mib  # noqa: E402

from indexer.index.analysis import SWEDISH_STOPWORDS  # noqa: E402

ARKIV = [sys.executable, "-m", "webapp.cli"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
WORKERS = 2  # arkiv serve's default on this 2-core machine
SEED = 20261129
WORD = re.compile(r"\b[^\W\d_]{4,20}\b")
LINK = re.compile(r"\]\([^)]*\)|https?://\S+|www\.\S+")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")
WARMUP = ["regeringen", "klimat", "miljö"]  # one-word queries: never among the measured two-word ones


# -- the archive ----------------------------------------------------------------------
def chosen(n: int, fraction: float) -> list[int]:
    """Indexes of `fraction` of n items, evenly spread: every 4th for 0.25, every 2nd for 0.5."""
    if fraction >= 1:
        return list(range(n))
    return [i for i in range(n) if int((i + 1) * fraction) > int(i * fraction)]


def units(text: str) -> tuple[str, list[str]]:
    """A page's heading line and its body in pieces: paragraphs; sentences under four paragraphs;
    the two halves of a lone sentence's words."""
    lines = text.strip().split("\n", 1)
    heading, body = (lines[0], lines[1] if len(lines) > 1 else "") if lines[0].startswith("#") else ("", text)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    if len(paragraphs) >= 4:
        return heading, paragraphs
    sentences = [s.strip() for p in paragraphs for s in SENTENCE.split(p) if s.strip()]
    if len(sentences) == 1 and len(words := sentences[0].split()) >= 2:
        sentences = [" ".join(words[:len(words) // 2]), " ".join(words[len(words) // 2:])]
    return heading, sentences


def half(n: int, rng: random.Random) -> int:
    """Where to cut n pieces in two: the middle, an odd middle piece going either way."""
    return n // 2 + (n % 2 and rng.random() < 0.5)


def recut(page: str, partner: str, rng: random.Random) -> str:
    """The page's heading, the first half of its pieces and the second half of the partner's, shuffled."""
    heading, own = units(page)
    other_heading, other = units(partner)
    body = own[:half(len(own), rng)] + other[half(len(other), rng):]
    rng.shuffle(body)
    if not body:  # a page that is only a heading (4% of them): the heading is re-cut instead
        words, others = heading.lstrip("# ").split(), other_heading.lstrip("# ").split()
        heading = "# " + " ".join(words[:half(len(words), rng)] + others[half(len(others), rng):])
    return (heading + "\n\n" if heading else "") + "\n\n".join(body) + "\n"


def copy_name(rel: str, k: int) -> str:
    """`<name>-kopia<k>.md` beside the page, its stem shortened to keep the name within 255 bytes."""
    folder, name = rel.rsplit("/", 1)
    suffix = f"-kopia{k}.md".encode()
    stem = name[:-3].encode()[:255 - len(suffix)].decode("utf-8", "ignore")
    return f"{folder}/{stem}{suffix.decode()}"


def build_archive(out: Path, pages: list[tuple[str, str, str]], size: float) -> int:
    """Lay out `size` times the corpus under `out`; return the number of documents."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    by_section: dict[str, list[int]] = collections.defaultdict(list)
    for i, (section, _, _) in enumerate(pages):
        by_section[section].append(i)
    sections: set[str] = set()
    count = 0
    for k in range(max(1, math.ceil(size))):
        take = chosen(len(pages), min(1.0, size - k))
        partner: dict[int, int] = {}
        if k:
            for section, members in sorted(by_section.items()):
                shuffled = members[:]
                random.Random(f"{SEED}:{k}:{section}").shuffle(shuffled)
                for pos, i in enumerate(members):
                    j = shuffled[pos]
                    partner[i] = shuffled[(pos + 1) % len(members)] if j == i else j
        for i in take:
            section, rel, text = pages[i]
            if k:
                text = recut(text, pages[partner[i]][2], random.Random(f"{SEED}:{k}:{rel}"))
                rel = copy_name(rel, k)
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
            sections.add(section)
            count += 1
    make_corpus_archive.write_config(out, sections)
    return count


# -- the queries ----------------------------------------------------------------------
def draw_queries(pages: list[tuple[str, str, str]], n: int) -> list[dict]:
    """n distinct two-word queries from the corpus's words, each word weighted by its page count."""
    df: collections.Counter[str] = collections.Counter()
    for _, _, text in pages:
        df.update(set(WORD.findall(LINK.sub(" ", text).lower())))
    words = sorted(w for w, c in df.items() if c >= 5 and w not in SWEDISH_STOPWORDS)
    weights = [df[w] for w in words]
    rng = random.Random(SEED)
    seen: set[frozenset[str]] = set()
    queries: list[dict] = []
    while len(queries) < n:
        a, b = rng.choices(words, weights, k=2)
        if a != b and frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            queries.append({"q": f"{a} {b}"})
    return queries


# -- measuring ------------------------------------------------------------------------
def descendants(root: int) -> list[int]:
    """root and every live process below it."""
    parent: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, todo = [root], [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        todo += kids
    return found


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_kib(pid: int) -> dict[str, int]:
    """A process's resident memory now: RssAnon and RssFile (status), Pss (smaps_rollup), in KiB."""
    found: dict[str, int] = {}
    try:
        for name in ("status", "smaps_rollup"):
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile", "Pss"):
                    found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


def run_index(archive: Path, index: Path) -> dict:
    """`arkiv index --jobs 2` from scratch in a child: wall seconds, peak memory both ways, its summary."""
    shutil.rmtree(index, ignore_errors=True)
    out, err = index.parent / "index-stdout.json", index.parent / "index-stderr.txt"
    with out.open("wb") as fo, err.open("wb") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(ARKIV + ["index", "--archive", str(archive), "--index", str(index), "--jobs", "2",
                                         "--json"], cwd=REPO, env=ENV, stdout=fo, stderr=fe)
        peak_tree = [0, 0]  # KiB, processes at that moment
        done = threading.Event()

        def sample():
            while not done.wait(0.25):
                pids = descendants(proc.pid)
                total = sum(pss_kib(p) for p in pids)
                if total > peak_tree[0]:
                    peak_tree[:] = [total, len(pids)]
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not every child's
        elapsed = time.perf_counter() - t0
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"arkiv index failed ({proc.returncode}): {err.read_text()[-2000:]}")
    summary = json.loads(out.read_text())
    return {"s": round(elapsed, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_largest_process_mib": usage.ru_maxrss // 1024,
            "peak_all_processes_pss_mib": peak_tree[0] // 1024, "processes_at_that_peak": peak_tree[1],
            "exit_code": proc.returncode, "summary": {k: (len(v) if isinstance(v, list) else v)
                                                      for k, v in summary.items()}}


def folder_mib(path: Path) -> float:
    total = sum(os.lstat(os.path.join(d, f)).st_size for d, _, files in os.walk(path) for f in files)
    return round(total / 2**20, 1)


def serve_and_measure(archive: Path, index: Path, one: list[dict], load: list[dict], clients: int) -> dict:
    port = free_port()
    log = index.parent / "serve-stderr.txt"
    with log.open("wb") as fe:
        server = subprocess.Popen(ARKIV + ["serve", "--archive", str(archive), "--index", str(index),
                                           "--port", str(port), "--workers", str(WORKERS)], cwd=REPO, env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=fe)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        while True:
            try:
                fetch(f"{base}/api/search?q={urllib.parse.quote(WARMUP[0])}")
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - t0 > 300:
                    raise SystemExit(f"arkiv serve did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        ready = time.perf_counter() - t0
        peaks: dict[str, int] = {}
        done = threading.Event()

        def sample():  # the split VmHWM cannot give: anonymous memory, mapped files, and PSS, per worker
            while not done.wait(0.25):
                for pid in descendants(server.pid):
                    for key, value in memory_kib(pid).items():
                        peaks[key] = max(peaks.get(key, 0), value)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for w in WARMUP[1:]:
            fetch(f"{base}/api/search?q={urllib.parse.quote(w)}")
        rss_ready = vm_hwm_mib(server.pid)
        times, partial, totals = [], 0, []
        cpu0 = server_cpu_seconds(server.pid)
        for q in one:
            t, body = fetch(base + "/api/search?" + urllib.parse.urlencode(q))
            times.append(t)
            partial += is_partial(body)
            totals.append(json.loads(body)["total"])
        cpu1 = server_cpu_seconds(server.pid)
        single = {"queries": len(one), "p50_ms": round(pct(times, 50) * 1000, 1),
                  "p95_ms": round(pct(times, 95) * 1000, 1), "max_ms": round(max(times) * 1000, 1),
                  "partial": partial, "server_cpu_ms_per_query": round((cpu1 - cpu0) / len(one) * 1000, 1),
                  "median_hits": sorted(totals)[len(totals) // 2]}
        many = load_run(base, clients, len(load), load)
        cpu2 = server_cpu_seconds(server.pid)
        many["server_cpu_ms_per_query"] = round((cpu2 - cpu1) / len(load) * 1000, 1)
        done.set()
        sampler.join()
        workers = [p for p in descendants(server.pid) if p != server.pid]
        web = max(vm_hwm_mib(p) for p in [server.pid, *workers])  # the largest process: a worker
        return {"ready_s": round(ready, 1), "one_client": single, "load": many, "web_peak_mib": web,
                "web_peak_sampled_mib": {"pss": peaks.get("Pss", 0) // 1024,
                                         "rss_anon": peaks.get("RssAnon", 0) // 1024,
                                         "rss_file": peaks.get("RssFile", 0) // 1024},
                "web_after_warmup_mib": rss_ready, "web_child_processes": len(workers)}
    finally:
        server.terminate()
        server.wait(timeout=60)


# -- output ---------------------------------------------------------------------------
COLUMNS = ("size", "documents", "index s", "cpu s", "index MiB", "idx peak MiB", "idx all MiB", "1c p50 ms",
           "1c p95 ms", "1c cut", "req/s", "Nc p95 ms", "errors", "Nc cut", "web HWM MiB", "web PSS MiB", "load")


def row(r: dict) -> list[str]:
    one, many = r["one_client"], r["load"]
    return [f"x{r['size']:g}", f"{r['documents']:,}", f"{r['index']['s']:.0f}", f"{r['index']['cpu_s']:.0f}",
            f"{r['index_mib']:,.0f}",
            f"{r['index']['peak_largest_process_mib']:,}", f"{r['index']['peak_all_processes_pss_mib']:,}",
            f"{one['p50_ms']:.0f}", f"{one['p95_ms']:.0f}", str(one["partial"]), f"{many['rps']:.1f}",
            f"{many['p95_ms']:,.0f}", str(many["errors"]), str(many["partial"]), f"{r['web_peak_mib']:,}",
            f"{r['web_peak_sampled_mib']['pss']:,}" if "web_peak_sampled_mib" in r else "-",
            f"{r['loadavg_before']:.1f}/{r['loadavg_after']:.1f}"]


def table(results: list[dict]) -> str:
    rows = [list(COLUMNS)] + [row(r) for r in results]
    widths = [max(len(x[i]) for x in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(x, widths)) for x in rows)


def plot(results: list[dict], clients: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter, NullLocator

    docs = [r["documents"] for r in results]
    ref = next((r for r in results if r["size"] == 1), results[len(results) // 2])

    def linear(key):  # what the figure would be if it grew in proportion to documents, through x1
        return [key(ref) * d / ref["documents"] for d in docs]

    cut_one = [(r["one_client"]["partial"], r["one_client"]["queries"]) for r in results]
    cut_many = [(r["load"]["partial"], r["load"]["requests"]) for r in results]
    panels = [  # title, series, log y, proportional reference, cut answers to mark
        ("Full index, --jobs 2 (s, log scale)", [("wall time", lambda r: r["index"]["s"])], True, True, None),
        ("Index folder on disk (MiB, log scale)", [("size", lambda r: r["index_mib"])], True, True, None),
        ("Peak memory (MiB, log scale)",
         [("indexer, largest process (ru_maxrss)", lambda r: r["index"]["peak_largest_process_mib"]),
          ("indexer, all processes (PSS sum)", lambda r: r["index"]["peak_all_processes_pss_mib"]),
          ("largest web process (VmHWM)", lambda r: r["web_peak_mib"])]
         + ([("largest web process (PSS, sampled)", lambda r: r["web_peak_sampled_mib"]["pss"])]
            if all("web_peak_sampled_mib" in r for r in results) else []), True, False, None),
        ("One client, never-asked queries (ms, log scale)", [("p50", lambda r: r["one_client"]["p50_ms"]),
                                                            ("p95", lambda r: r["one_client"]["p95_ms"])],
         True, False, cut_one),
        (f"{clients} clients at once: p95 latency (ms, log scale)", [("p95", lambda r: r["load"]["p95_ms"])],
         True, False, cut_many),
        (f"{clients} clients at once: throughput (req/s)", [("requests/s", lambda r: r["load"]["rps"])],
         False, False, None),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(15, 9), constrained_layout=True)
    for ax, (title, series, log_y, with_linear, cut) in zip(axes.flat, panels):
        top = 0.0
        for n, (label, key) in enumerate(series):
            ys = [key(r) for r in results]
            top = max(top, *ys)
            ax.plot(docs, ys, marker="o", label=label)
            for x, y in zip(docs, ys):  # labels above the points, the second series' below
                ax.annotate(f"{y:,.0f}" if y >= 10 else f"{y:.1f}", (x, y), textcoords="offset points",
                            xytext=(0, -14 if n % 2 else 7), ha="center", fontsize=8)
        if with_linear:
            ax.plot(docs, linear(series[0][1]), linestyle="--", color="grey", linewidth=1,
                    label=f"proportional to documents (through x{ref['size']:g})")
        if cut and any(c for c, _ in cut):
            ys = [series[-1][1](r) for r in results]
            for x, y, (c, total) in zip(docs, ys, cut):
                if c:
                    ax.annotate(f"{c} of {total} cut at 1 s", (x, y), textcoords="offset points", xytext=(0, 18),
                                ha="center", fontsize=7, color="firebrick")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(FixedLocator(docs))
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda x, _: next((f"{d:,}\nx{r['size']:g}" for d, r in zip(docs, results) if d == x), "")))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlim(docs[0] / 1.4, docs[-1] * 1.4)
        if log_y:
            ax.set_yscale("log")
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo / 1.2, hi * 2.6)
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}" if y >= 1 else f"{y:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_ylim(0, top * 1.25)
        ax.tick_params(labelsize=8)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("documents (log scale)", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    sizes = ", ".join(f"x{r['size']:g}" for r in results)
    fig.suptitle(f"Nätverksarkivet, the regeringen.se corpus at {sizes}: one 2-core machine, "
                 "shared with other work while measured", fontsize=12)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- main -----------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.25,0.5,1,2,4", help="multiples of the corpus (default: %(default)s)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/arkiv-scale"))
    ap.add_argument("--queries", type=int, default=100, help="one-client queries, each asked once (default: 100)")
    ap.add_argument("--clients", type=int, default=50, help="clients at once in the load run (default: 50)")
    ap.add_argument("--requests", type=int, help="requests in the load run (default: 10 per client)")
    ap.add_argument("--keep", action="store_true", help="keep each size's archive for the next run")
    ap.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    ap.add_argument("--replot", action="store_true", help="only draw scale.png again from scale.json")
    args = ap.parse_args()
    if args.replot:
        saved = json.loads((args.results / "scale.json").read_text())
        plot(saved["results"], saved["settings"]["clients"], args.results / "scale.png")
        return
    sizes = [float(s) for s in args.sizes.split(",")]
    requests = args.requests or 10 * args.clients
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    pages = [(s, rel, data.decode("utf-8", "replace")) for s, rel, data in make_corpus_archive.pages()]
    queries = draw_queries(pages, args.queries + requests)
    one, load = queries[:args.queries], queries[args.queries:]
    print(f"corpus: {len(pages):,} pages; {len(queries)} queries drawn "
          f"({time.perf_counter() - t0:.0f} s), e.g. {', '.join(q['q'] for q in one[:5])}", flush=True)

    meta = {
        "machine": {"cores": os.cpu_count(), "memory_gib": round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30), "python": platform.python_version(),
            "note": "other work shared the machine during the run; see each size's load averages"},
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "settings": {"sizes": sizes, "queries_one_client": args.queries, "clients": args.clients,
                     "load_requests": requests, "seed": SEED, "index_jobs": 2,
                     "serve": f"arkiv serve --workers {WORKERS}: gunicorn, a worker process per core, 4 threads each"},
        "queries_sample": [q["q"] for q in one[:10]],
    }
    results: list[dict] = []
    for size in sizes:
        folder = work / f"x{size:g}"
        archive, index = folder / "archive", folder / "index"
        marker = folder / "archive.json"
        r: dict = {"size": size, "loadavg_before": round(os.getloadavg()[0], 2)}
        folder.mkdir(parents=True, exist_ok=True)
        wanted = {"size": size, "seed": SEED, "pages": len(pages)}
        if args.keep and marker.is_file() and json.loads(marker.read_text()).get("spec") == wanted:
            r["documents"] = json.loads(marker.read_text())["documents"]
            print(f"x{size:g}: reusing {archive} ({r['documents']:,} documents)", flush=True)
        else:
            t = time.perf_counter()
            r["documents"] = build_archive(archive, pages, size)
            marker.write_text(json.dumps({"spec": wanted, "documents": r["documents"]}))
            print(f"x{size:g}: {r['documents']:,} documents laid out in {time.perf_counter() - t:.0f} s", flush=True)
        r["archive_mib"] = folder_mib(archive)
        r["index"] = run_index(archive, index)
        r["index_mib"] = folder_mib(index)
        print(f"x{size:g}: full index {r['index']['s']:.0f} s, {r['index_mib']:,.0f} MiB, peak "
              f"{r['index']['peak_largest_process_mib']:,} MiB largest process / "
              f"{r['index']['peak_all_processes_pss_mib']:,} MiB all ({r['index']['summary']})", flush=True)
        r.update(serve_and_measure(archive, index, one, load, args.clients))
        r["loadavg_after"] = round(os.getloadavg()[0], 2)
        print(f"x{size:g}: one client {r['one_client']}; {args.clients} clients {r['load']}; "
              f"web peak {r['web_peak_mib']} MiB", flush=True)
        results.append(r)
        shutil.rmtree(index, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        (args.results / "scale.json").write_text(json.dumps({**meta, "results": results}, indent=2,
                                                            ensure_ascii=False))
        plot(results, args.clients, args.results / "scale.png")  # after each size, in case the run is cut short
    meta["total_minutes"] = round((time.perf_counter() - t0) / 60, 1)
    (args.results / "scale.json").write_text(json.dumps({**meta, "results": results}, indent=2, ensure_ascii=False))
    plot(results, args.clients, args.results / "scale.png")
    print(f"\n{table(results)}\n\ncpu s = the indexer's user+system CPU, its reaped children included; "
          f"idx peak = largest indexer process (wait4 ru_maxrss); idx all = all indexer processes' PSS, sampled; "
          f"1c = one client, {args.queries} queries; Nc = {args.clients} clients, "
          f"{requests} requests; cut = answers past the 1 s search budget (\"partial\"); web HWM = VmHWM; "
          f"web PSS = the server's PSS, sampled; load = 1-min load "
          f"average before/after\nwrote {args.results / 'scale.json'} and scale.png "
          f"({meta['total_minutes']} min)")


if __name__ == "__main__":
    main()
