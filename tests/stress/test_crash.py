"""R1 and R2 (slow tier): the index survives `kill -9` of its writer, and serving goes on through rebuilds.

R1: a synthetic corpus (tests/tools/bench.py) as report files, ingested a batch at a time by `lrsearch ingest` in
a subprocess, killed with SIGKILL 50 times at seeded uniformly random points of its runs (each kill falls in a
batch drawn at random, at a time drawn from [0, the last complete run's duration)), restarted after each. After
each kill the index opens, 10 queries run, no passage id is twice in it, nothing seen committed before is gone, no
worker outlives its writer; each restart is not refused as busy, and a complete run skips exactly the files
already in. Finally exactly the corpus's passages, and nothing in the index folder that its commits do not name.
Random times seldom hit the renames, so a second test kills the writer at each ``os.replace`` of one ingest.

R2: `lrsearch serve` answers a client every 50 ms (searches as JSON and as the page, the reports their hits link
to, as the page and as JSON) while `lrsearch index` rebuilds its index, killed with SIGKILL at 30 seeded random
points and completed every third time: no failed request, no answer that mixes two generations. And in process:
every file a rebuild writes, and every directory that gains a name, is fsynced before ``CURRENT`` points at it.

The seed comes from LRSEARCH_TEST_SEED (``pytest --seed N``) and is printed first.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from pathlib import Path
from urllib.parse import quote

import pytest

from indexer.index.commits import COMMITS_DIR, CURRENT, SEGMENTS_DIR, WHOOSH_DIR, WHOOSH_NAME, Commit, current_commit
from indexer.index.lock import LOCK
from indexer.index.reader import Index
from search_app.core.search import Params, search
from tests.test_update import _alive, _children
from tests.tools.bench import corpus_file, synthetic_documents
from tests.tools.load import free_port

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("LRSEARCH_TEST_SEED", "20261204"))
LRSEARCH = [sys.executable, "-c", "from search_app.cli import main; main()"]
QUERIES = ["监督", "备案审查", "代表建议 办理", '"人大常委会"', "立法 OR 监督", "执法检查 专题询问", "监督 -预算",
           '"联系点 立法"~5', "level:county 监督", "year:2015-2021 代表"]

R1_KILLS, R1_PASSAGES, R1_BATCHES = 50, 4_300, 9      # 4,300 synthetic passages parse into some 5,300
R1_SEGMENT = "250"          # passages per segment: a batch is two segments, written by forked workers
R2_KILLS, R2_PASSAGES, R2_COMPLETE_EVERY = 30, 3_000, 3
R2_SEGMENT = "1000"
ORPHAN_WAIT_S = 10.0


def _seed_line(test: str) -> None:
    print(f"\nseed {SEED}  ({test}; replay with LRSEARCH_TEST_SEED={SEED} or --seed {SEED})")


# ------------------------------------------------------------------------------------------------ processes

def _argv(pid: int) -> list[bytes]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().split(b"\0")
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        out += kids
        todo += kids
    return out


def writers_of(index_dir: Path, command: str) -> list[int]:
    """Live processes running ``lrsearch <command>`` on ``index_dir``: a writer and its forked workers, which
    carry its command line (the server, which names the index too, is another command)."""
    needle, cmd = str(index_dir).encode(), command.encode()
    return [int(d) for d in os.listdir("/proc") if d.isdigit() and int(d) != os.getpid()
            and needle in (argv := _argv(int(d))) and cmd in argv and _alive(int(d))]


def orphans_after(index_dir: Path, command: str) -> tuple[int, float]:
    """Writer processes still alive once the killed writer's workers have had ``ORPHAN_WAIT_S`` to die
    (polled), and how long they took."""
    t0 = time.monotonic()
    while (left := writers_of(index_dir, command)) and time.monotonic() - t0 < ORPHAN_WAIT_S:
        time.sleep(0.02)
    return len(left), time.monotonic() - t0


class Run:
    """One `lrsearch` write command in a subprocess, its stderr kept."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str]):
        self.log = log
        self.fh = log.open("wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([*LRSEARCH, *args], stdout=subprocess.DEVNULL, stderr=self.fh,
                                     env={**os.environ, **env})

    def finish(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds; the exit code, or None if it is still running."""
        try:
            self.proc.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return None
        self.seconds = time.monotonic() - self.t0
        self.fh.close()
        return self.proc.returncode

    def kill(self) -> int:
        """SIGKILL; returns how many workers it had at that moment."""
        workers = len(_descendants(self.proc.pid))
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.fh.close()
        return workers

    @property
    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


# ------------------------------------------------------------------------------------------------ the index

def snapshot(index_dir: Path) -> dict:
    """Open the index afresh, as a reader does when a new commit is live (``open_index`` builds this ``Index``;
    its per-process cache would hand back the commit opened before the kill), run the queries, and list its
    passage and document ids."""
    out = {"opened": False, "queries_ok": 0, "error": ""}
    try:
        ix = Index(index_dir)
    except Exception as exc:            # noqa: BLE001 - the figure is whether it opens
        out["error"] = f"open: {type(exc).__name__}: {exc}"
        return out
    try:
        out["opened"] = True
        for q in QUERIES:
            try:
                r = search(ix, Params(q=q))
                if all(h.title and h.citation for h in r["hits"]) and len(r["hits"]) == min(10, r["total"]):
                    out["queries_ok"] += 1
                else:
                    out["error"] = f"query {q!r}: a hit without title or citation, or hits != total"
            except Exception as exc:    # noqa: BLE001
                out["error"] = f"query {q!r}: {type(exc).__name__}: {exc}"
        stored = [ix.stored(r) for r in ix.all_rows.tolist()]
        out["passages"] = [s["passage_id"] for s in stored]
        out["docs"] = {s["doc_id"] for s in stored}
        out["n"] = ix.n
        out["commit"] = ix.commit.name
    finally:
        ix.close()
    return out


def leftovers(index_dir: Path) -> list[str]:
    """Whatever is in the index folder that neither the live commit nor the one kept before it names (the
    layout of commits.py): temporary files, segment folders, Whoosh files and commits left by killed writers."""
    live = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    names = sorted(p.name for p in (index_dir / COMMITS_DIR).iterdir())
    before = [n for n in names if re.fullmatch(r"commit-\d+\.json", n) and n < live]
    kept = [live] + before[-1:]
    commits = [Commit.from_json((index_dir / COMMITS_DIR / n).read_text(encoding="utf-8")) for n in kept]
    expected = {CURRENT, LOCK, COMMITS_DIR, WHOOSH_DIR, SEGMENTS_DIR}
    expected |= {f"{COMMITS_DIR}/{n}" for n in kept}
    expected |= {f"{WHOOSH_DIR}/_{WHOOSH_NAME}_{c.whoosh_generation}.toc" for c in commits}
    segments = {e.id for c in commits for e in c.segments}
    whoosh = {w for c in commits for e in c.segments for w in e.whoosh}
    left = []
    for p in sorted(index_dir.rglob("*")):
        rel = p.relative_to(index_dir).as_posix()
        parts = rel.split("/")
        if rel in expected:
            continue
        if parts[0] == WHOOSH_DIR and len(parts) == 2 and parts[1].split(".")[0] in whoosh \
                and not parts[1].endswith(".toc"):
            continue
        if parts[0] == SEGMENTS_DIR and len(parts) >= 2 and parts[1] in segments \
                and not any(x.startswith(".") or x == "whoosh.new" for x in parts[2:]):
            continue
        left.append(rel)
    return left


def _phase(index_dir: Path, pid: int) -> str:
    """Where a writer was when it was killed, as the index folder shows it."""
    try:
        holder = int((index_dir / LOCK).read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        holder = None
    if holder != pid:
        return "starting (before the lock)"
    return "writing segments or the commit" if leftovers(index_dir) else "reading, parsing, signing"


REPORT = re.compile(r"(\d+) files: (\d+) unchanged, (\d+) parsed, (\d+) skipped"
                    r"(?:; index commit (\d+): (\d+) documents, (\d+) passages)?")


# ---------------------------------------------------------------------------------------------------- R1

def test_r1_ingest_killed_50_times_loses_nothing_and_completes_exactly(tmp_path):
    _seed_line("R1")
    t_start = time.monotonic()
    rng = random.Random(SEED)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = []
    for n, doc in enumerate(synthetic_documents(R1_PASSAGES, seed=SEED)):
        files.append(corpus / f"report-{n:04d}.txt")
        files[-1].write_text(f"{doc.title}\n{doc.text}", encoding="utf-8")
    expected = _expected_passages(files)
    assert expected >= 5_000, f"the corpus parses into {expected} passages, fewer than R1's 5,000"
    k = len(files)
    batches = [files[i * k // R1_BATCHES:(i + 1) * k // R1_BATCHES] for i in range(R1_BATCHES)]
    # batch 0 makes the index (a kill before its first commit leaves nothing to open); each kill falls in one of
    # the others, drawn uniformly, at a time drawn uniformly within a run
    kills_in = Counter(rng.randrange(1, R1_BATCHES) for _ in range(R1_KILLS))
    stage, ix, logs = tmp_path / "staged", tmp_path / "ix", tmp_path / "logs"
    stage.mkdir()
    logs.mkdir()
    env = {"LRSEARCH_MAX_SEGMENT_PASSAGES": R1_SEGMENT}
    fig = Counter()
    problems: list[str] = []
    phases = Counter()
    state = {"ack": set(), "ack_docs": set(), "n": 0, "duration": 0.0, "runs": 0, "killed since publish": False}

    def start() -> Run:
        state["runs"] += 1
        state["in before"] = len(current_commit(ix).files) if (ix / CURRENT).exists() else 0
        return Run(["ingest", str(stage), "--index", str(ix), "--workers", "2"],
                   logs / f"run-{state['runs']:03d}.log", env)

    def completed(run: Run, rc: int, staged: int) -> None:
        """A run that exited by itself: exit 0, its report, and the index holding what it reports."""
        fig["completed runs"] += 1
        state["duration"] = run.seconds
        m = REPORT.search(run.stderr)
        if rc == 4:
            fig["busy"] += 1
        if rc != 0 or m is None:
            problems.append(f"run {state['runs']} exited {rc}: {run.stderr[-800:]}")
            return
        files_, unchanged, parsed = int(m[1]), int(m[2]), int(m[3])
        if files_ != staged or unchanged != state["in before"] or unchanged + parsed != staged:
            # the files an earlier run committed are skipped, all the others parsed
            problems.append(f"run {state['runs']}: {m[0]} with {staged} files staged, {state['in before']} in")
        snap = snapshot(ix)
        if not snap["opened"]:
            problems.append(f"after the complete run {state['runs']}: {snap['error']}")
            return
        if m[7] is not None and int(m[7]) != snap["n"]:
            problems.append(f"run {state['runs']} reported {m[7]} passages, the index holds {snap['n']}")
        if snap["n"] < state["n"]:
            fig["count decreased"] += 1
        fig["lost (after a complete run)"] += len(state["ack"] - set(snap["passages"]))
        state.update(ack=set(snap["passages"]), ack_docs=snap["docs"], n=snap["n"])
        if m[5] is not None:
            state["killed since publish"] = False

    def killed(run: Run) -> None:
        fig["kills"] += 1
        state["killed since publish"] = True
        fig["workers at the kill"] += run.kill()
        phase = _phase(ix, run.proc.pid)
        orphans, waited = orphans_after(ix, "ingest")
        fig["orphans"] += orphans
        fig["orphan wait max ms"] = max(fig["orphan wait max ms"], round(waited * 1000))
        snap = snapshot(ix)
        fig["opened"] += snap["opened"]
        fig["queries OK"] += snap["queries_ok"]
        if snap["error"]:
            problems.append(f"kill {fig['kills']}: {snap['error']}")
        if not snap["opened"]:
            return
        ids = snap["passages"]
        fig["duplicate ids"] += len(ids) - len(set(ids))
        fig["lost"] += len(state["ack"] - set(ids))
        fig["lost documents"] += len(state["ack_docs"] - snap["docs"])
        if snap["n"] < state["n"]:
            fig["count decreased"] += 1
        phases[phase if snap["n"] <= state["n"] else "after its commit went live"] += 1
        state.update(ack=set(ids), ack_docs=snap["docs"], n=snap["n"])

    def run_batch(kills: int, staged: int) -> int:
        """Run the ingest, killing it ``kills`` times, restarting it after each; then let it complete. Returns
        the kills that did not land (the run completed before its time): they go to the next batch."""
        while kills:
            at = rng.uniform(0, state["duration"])
            run = start()
            rc = run.finish(at)
            if rc is not None:                  # done before its kill: the batch is in
                fig["runs done before their kill"] += 1
                completed(run, rc, staged)
                return kills
            killed(run)
            kills -= 1
        run = start()
        completed(run, run.finish(600), staged)
        return 0

    carry = 0
    for b, batch in enumerate(batches):
        for f in batch:
            shutil.copy(f, stage / f.name)
        staged = sum(len(x) for x in batches[:b + 1])
        carry = run_batch(kills_in[b] + carry, staged)
    while carry:                                # kills left over: on runs with nothing new (they end early)
        carry = run_batch(carry, len(files))
    if state["killed since publish"]:           # the last kills hit runs with nothing to commit: build once more
        run = Run(["index", "--index", str(ix)], logs / "rebuild.log", env)
        if run.finish(600) != 0:
            problems.append(f"the rebuild after the last kill exited {run.proc.returncode}: {run.stderr[-800:]}")
        fig["rebuilds to clean"] += 1
    final = snapshot(ix)
    left = leftovers(ix)
    wall = time.monotonic() - t_start

    rows = [
        ("opened / kills", f"{fig['opened']}/{fig['kills']}", f"{R1_KILLS}/{R1_KILLS}",
         fig["opened"] == fig["kills"] == R1_KILLS),
        ("queries OK", f"{fig['queries OK']}/{10 * fig['kills']}", f"{10 * R1_KILLS}/{10 * R1_KILLS}",
         fig["queries OK"] == 10 * R1_KILLS),
        ("acknowledged-but-lost passages", fig["lost"] + fig["lost (after a complete run)"], 0,
         fig["lost"] + fig["lost (after a complete run)"] == 0),
        ("acknowledged-but-lost documents", fig["lost documents"], 0, fig["lost documents"] == 0),
        ("passage count decreased", fig["count decreased"], 0, fig["count decreased"] == 0),
        ("duplicate ids (after kills)", fig["duplicate ids"], 0, fig["duplicate ids"] == 0),
        ("duplicate ids (final)", len(final["passages"]) - len(set(final["passages"])), 0,
         len(final["passages"]) == len(set(final["passages"]))),
        ("final count vs expected", f"{final['n']} vs {expected}", "exact", final["n"] == expected),
        ("restart refused busy (exit 4)", fig["busy"], 0, fig["busy"] == 0),
        ("orphan workers after the kill", fig["orphans"], 0, fig["orphans"] == 0),
        ("leftover files after the next build", len(left), 0, not left),
    ]
    _table("R1", rows)
    print(f"R1: {len(files)} files, {expected} passages in {R1_BATCHES} batches; {state['runs']} runs "
          f"({fig['completed runs']} completed, {fig['runs done before their kill']} done before their kill); "
          f"{fig['rebuilds to clean']} rebuild after the last kill; the kills fell {dict(phases)}; workers alive "
          f"at the kills "
          f"{fig['workers at the kill']} (all gone within {fig['orphan wait max ms']} ms at most); last complete "
          f"run {state['duration']:.1f} s; wall {wall:.0f} s, load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for p in problems[:10]:
        print("  problem:", p)
    if left:
        print("  leftovers:", left[:20])
    assert not problems and all(ok for *_, ok in rows)


def _expected_passages(files: list[Path]) -> int:
    """The corpus's passages as the parser and the repost folding make them, counted without an index."""
    from indexer.understand.batch import parse_many
    from indexer.understand.dedup import fold_duplicates
    batch = parse_many(files, workers=2)
    assert not batch.errors, batch.errors[:3]
    return sum(len(d.passages()) for d in fold_duplicates(batch.documents))


def _table(name: str, rows: list[tuple]) -> None:
    print(f"{name}: {'figure':<40} {'value':>16}  {'bar':>10}  pass")
    for figure, value, bar, ok in rows:
        print(f"{name}: {figure:<40} {str(value):>16}  {str(bar):>10}  {'yes' if ok else 'NO'}")


def test_r1_a_writer_killed_at_each_rename_leaves_the_index_whole_and_nothing_behind(tmp_path):
    """The points random times seldom hit: the writer SIGKILLs itself at its k-th ``os.replace`` (a Whoosh file
    adopted, a segment's documents, the commit, ``CURRENT``), for every k of one ingest. After each: the index
    opens with everything it had, and the next ingest commits and leaves nothing behind."""
    from indexer.update import ingest
    _seed_line("R1, each rename")
    t0 = time.monotonic()
    src, ix = tmp_path / "src", tmp_path / "ix"
    src.mkdir()
    docs = list(synthetic_documents(3_000, seed=SEED))

    def add(k: int) -> None:
        (src / f"report-{k:04d}.txt").write_text(f"{docs[k].title}\n{docs[k].text}", encoding="utf-8")

    add(0)
    ingest(ix, [src], workers=1)
    real_replace = os.replace
    calls = []

    def counting(a, b, *args, **kw):
        calls.append(Path(b).name)
        return real_replace(a, b, *args, **kw)

    add(1)
    os.replace = counting
    try:
        ingest(ix, [src], workers=1)
    finally:
        os.replace = real_replace
    fig, problems = Counter(), []
    for k in range(len(calls)):
        add(2 + k)
        before = snapshot(ix)
        pid = os.fork()
        if pid == 0:                            # the writer: killed at its k-th rename
            os.replace = _dying_at(k, real_replace)
            try:
                ingest(ix, [src], workers=1)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        fig["killed"] += os.WIFSIGNALED(status)
        after = snapshot(ix)
        fig["opened"] += after["opened"]
        fig["queries OK"] += after["queries_ok"]
        if not after["opened"]:
            problems.append(f"rename {k} ({calls[k]}): {after['error']}")
            continue
        fig["lost"] += len(set(before["passages"]) - set(after["passages"]))
        ingest(ix, [src], workers=1)
        left = leftovers(ix)
        fig["leftovers"] += len(left)
        if left:
            problems.append(f"rename {k} ({calls[k]}): left {left}")
    final = snapshot(ix)
    n = len(calls)
    rows = [("killed at a rename", f"{fig['killed']}/{n}", f"{n}/{n}", fig["killed"] == n),
            ("opened", f"{fig['opened']}/{n}", f"{n}/{n}", fig["opened"] == n),
            ("queries OK", f"{fig['queries OK']}/{10 * n}", f"{10 * n}/{10 * n}", fig["queries OK"] == 10 * n),
            ("acknowledged-but-lost passages", fig["lost"], 0, fig["lost"] == 0),
            ("final documents vs files", f"{len(final['docs'])} vs {n + 2}", "exact", len(final["docs"]) == n + 2),
            ("leftover files after the next build", fig["leftovers"], 0, fig["leftovers"] == 0)]
    _table("R1 each rename", rows)
    kinds = Counter(re.sub(rf"^{WHOOSH_NAME}_[a-z0-9]+\..*", "Whoosh segment file", c) for c in calls)
    print(f"R1 each rename: {n} renames in one ingest ({', '.join(f'{v}× {k}' for k, v in kinds.items())}); "
          f"wall {time.monotonic() - t0:.0f} s")
    for p in problems[:10]:
        print("  problem:", p)
    assert not problems and all(ok for *_, ok in rows)


def _dying_at(k: int, real_replace):
    """``os.replace`` that SIGKILLs the process at its ``k``-th call (from 0)."""
    seen = [0]

    def replace(a, b, *args, **kw):
        if seen[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        seen[0] += 1
        return real_replace(a, b, *args, **kw)
    return replace


# ---------------------------------------------------------------------------------------------------- R2

@pytest.fixture(scope="module")
def r2_corpus(tmp_path_factory) -> Path:
    return corpus_file(tmp_path_factory.mktemp("r2corpus"), R2_PASSAGES)


def get(url: str) -> tuple[int, bytes]:
    """Status and body; a connection error is status 0."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return 0, repr(e).encode()


HIT = re.compile(r'<article class="result" id="r-([^"]+)">\s*<h3><a href="/doc/([^"?#]+)[^"]*">([^<]*)</a>.*?'
                 r'data-citation="([^"]*)"', re.S)


class Client(threading.Thread):
    """Queries the server every 50 ms: searches as JSON and as the page, and the reports their hits link to, as
    the page and as JSON; every answer checked for a generation mixed with another."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.requests, self.failed, self.mixed = Counter(), [], []
        self.links: deque = deque(maxlen=20)            # (doc_id, passage_id) of hits seen
        self.generations: set[str] = set()
        self.page_size = 20                             # the web's default, as /api/search reports it

    def run(self) -> None:
        due, i = time.monotonic(), 0
        while not self.stop.is_set():
            self.one(i)
            i += 1
            due = max(due + 0.05, time.monotonic() - 0.05)
            self.stop.wait(max(0.0, due - time.monotonic()))

    def one(self, i: int) -> None:
        q = QUERIES[(i // 5) % len(QUERIES)]
        kind = ("api", "page", "doc", "api doc", "health")[i % 5]
        if kind in ("doc", "api doc") and not self.links:
            kind = "api"
        if kind == "api":
            path = f"/api/search?q={quote(q)}"
        elif kind == "page":
            path = f"/?q={quote(q)}"
        elif kind == "health":
            path = "/-/health.json"
        else:
            doc_id, passage_id = self.links[i % len(self.links)]
            path = f"/doc/{doc_id}" if kind == "doc" else f"/api/doc/{doc_id}"
        self.requests[kind] += 1
        status, body = get(self.base + path)
        if status != 200:
            (self.mixed if status == 404 and "doc" in kind else self.failed).append(f"{status} {path}")
            return
        text = body.decode("utf-8", "replace")
        if kind == "api":
            r = json.loads(text)
            hits = r["hits"]
            self.page_size = r["limit"]
            if len(hits) != min(r["limit"], r["total"] - r["offset"]) or \
                    any(not h["title"] or not h["citation"] for h in hits):
                self.mixed.append(f"{path}: total {r['total']}, {len(hits)} hits, empty title or citation")
            self.links.extend((h["doc_id"], h["passage_id"]) for h in hits[:3])
        elif kind == "page":
            m = re.search(r'<strong class="total">(\d+)</strong>', text)
            hits = HIT.findall(text)
            if m is None or len(hits) != min(self.page_size, int(m[1])) or \
                    any(not t.strip() or not c for _, _, t, c in hits):
                self.mixed.append(f"{path}: total {m and m[1]}, {len(hits)} hits, empty title or citation")
            self.links.extend((d, p) for p, d, _, _ in hits[:3])
        elif kind == "doc":
            if f'id="p-{passage_id}"' not in text:
                self.mixed.append(f"{path}: passage {passage_id} of the hit is not in its report")
        elif kind == "api doc":
            doc = json.loads(text)
            if passage_id not in {p["passage_id"] for s in doc["sections"] for p in s["passages"]}:
                self.mixed.append(f"{path}: passage {passage_id} of the hit is not in its report")
        else:
            self.generations.add(json.loads(text)["generation"])


def test_r2_serving_while_rebuilds_are_killed_answers_every_request_from_one_generation(r2_corpus, tmp_path):
    _seed_line("R2")
    t_start = time.monotonic()
    rng = random.Random(SEED + 2)
    ix, logs = tmp_path / "ix", tmp_path / "logs"
    logs.mkdir()
    env = {"LRSEARCH_MAX_SEGMENT_PASSAGES": R2_SEGMENT}
    first = Run(["index", "--index", str(ix), "--from", str(r2_corpus)], logs / "first.log", env)
    assert first.finish(600) == 0, first.stderr
    port = free_port()
    with (logs / "serve.log").open("wb") as serve_log:
        server = subprocess.Popen([*LRSEARCH, "serve", "--index", str(ix), "--port", str(port), "--workers", "2"],
                                  stdout=subprocess.DEVNULL, stderr=serve_log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    client = Client(base)
    fig, problems = Counter(), []
    try:
        deadline = time.monotonic() + 60
        while get(base + "/-/health.json")[0] != 200:
            assert server.poll() is None and time.monotonic() < deadline, (logs / "serve.log").read_text()
            time.sleep(0.1)
        client.start()
        runs = [0]

        def start() -> Run:
            runs[0] += 1
            return Run(["index", "--index", str(ix)], logs / f"rebuild-{runs[0]:03d}.log", env)

        def complete() -> float:
            run = start()
            rc = run.finish(600)
            fig["completed rebuilds"] += 1
            fig["busy"] += rc == 4
            if rc != 0:
                problems.append(f"rebuild {runs[0]} exited {rc}: {run.stderr[-800:]}")
            return run.seconds

        duration = complete()                   # the kills fall uniformly within a rebuild's measured duration
        while fig["kills"] < R2_KILLS:
            run = start()
            rc = run.finish(rng.uniform(0, duration))
            if rc is not None:                  # done before its kill: a swap like any other
                fig["done before their kill"] += 1
                fig["busy"] += rc == 4
                if rc != 0:
                    problems.append(f"rebuild {runs[0]} exited {rc}: {run.stderr[-800:]}")
                continue
            fig["kills"] += 1
            fig["workers at the kill"] += run.kill()
            fig["orphans"] += orphans_after(ix, "index")[0]
            if fig["kills"] % R2_COMPLETE_EVERY == 0:
                duration = complete()
        complete()
        time.sleep(0.5)                         # a few requests on the last generation
    finally:
        client.stop.set()
        client.join(60)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    left = leftovers(ix)
    final = snapshot(ix)
    wall = time.monotonic() - t_start
    requests = sum(client.requests.values())
    rows = [("kills", fig["kills"], R2_KILLS, fig["kills"] == R2_KILLS),
            ("requests", requests, "> 0", requests > 0),
            ("failed requests (non-200 or no answer)", len(client.failed), 0, not client.failed),
            ("answers mixing generations", len(client.mixed), 0, not client.mixed),
            ("rebuild refused busy (exit 4)", fig["busy"], 0, fig["busy"] == 0),
            ("orphan workers after the kill", fig["orphans"], 0, fig["orphans"] == 0),
            ("final passages vs corpus", f"{final.get('n')} vs {_jsonl_passages(r2_corpus)}", "exact",
             final.get("n") == _jsonl_passages(r2_corpus)),
            ("leftover files after the last build", len(left), 0, not left)]
    _table("R2", rows)
    print(f"R2: {runs[0]} rebuilds ({fig['completed rebuilds']} completed, {fig['done before their kill']} done "
          f"before their kill), a rebuild {duration:.1f} s; {len(client.generations)} generations served; requests "
          f"{dict(client.requests)}; workers alive at the kills {fig['workers at the kill']}; wall {wall:.0f} s, "
          f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for p in (problems + client.failed + client.mixed)[:10]:
        print("  problem:", p)
    assert not problems and all(ok for *_, ok in rows)


def _jsonl_passages(path: Path) -> int:
    from indexer.store import read_documents
    return sum(len(d.passages()) for d in read_documents(path))


def test_r2_a_rebuild_fsyncs_every_new_file_and_directory_before_current_points_at_it(r2_corpus, tmp_path,
                                                                                     monkeypatch):
    """Extends tests/test_update.py (the directories of an ingest) to a full rebuild in several segments, and to
    the files themselves: each new file, and each directory that gained a name, is fsynced (by inode: a file
    written under a temporary name and renamed counts) before ``CURRENT`` is replaced, and the index folder is
    fsynced again after the rename."""
    from indexer.settings import load_settings
    from indexer.update import rebuild
    _seed_line("R2, fsync")
    settings = load_settings(max_segment_passages=int(R2_SEGMENT))
    ix = tmp_path / "ix"
    rebuild(ix, r2_corpus, workers=1, settings=settings)

    def inodes() -> dict[Path, tuple[int, int]]:
        return {p: (st.st_dev, st.st_ino) for p in [ix, *ix.rglob("*")] if (st := p.stat())}

    before = inodes()
    synced: list[tuple[int, int]] = []
    at_swap: list[set] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        st = os.fstat(fd)
        synced.append((st.st_dev, st.st_ino))
        return real_fsync(fd)

    def replace(a, b, *args, **kw):
        if Path(b) == ix / CURRENT:
            at_swap.append(set(synced))
        return real_replace(a, b, *args, **kw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    report = rebuild(ix, workers=1, settings=settings)
    after = inodes()
    swap = at_swap[0] if at_swap else set()
    new = {p: ino for p, ino in after.items() if before.get(p) != ino}
    files = [p for p in new if p.is_file()]
    gained = {p.parent for p in new}            # directories that gained a name (CURRENT's: renamed just now)
    files_synced = [p for p in files if new[p] in swap]
    dirs_synced = [d for d in gained if after[d] in swap or d == ix]
    index_dir_after = after[ix] in set(synced[len(swap):]) if at_swap else False
    rows = [("swaps of CURRENT", len(at_swap), 1, len(at_swap) == 1),
            ("fsynced files / new files", f"{len(files_synced)}/{len(files)}", "100%",
             len(files) > 0 and len(files_synced) == len(files)),
            ("directories that gained a name, fsynced", f"{len(dirs_synced)}/{len(gained)}", "100%",
             len(dirs_synced) == len(gained)),
            ("index folder fsynced before and after the swap", (after[ix] in swap, index_dir_after), "yes",
             after[ix] in swap and index_dir_after)]
    _table("R2 fsync", rows)
    print(f"R2 fsync: a rebuild into {report.segments} segments, {report.passages} passages; {len(synced)} fsyncs")
    for p in sorted(set(files) - set(files_synced))[:10]:
        print("  not fsynced:", p.relative_to(ix))
    assert all(ok for *_, ok in rows)
