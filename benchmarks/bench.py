#!/usr/bin/env python3
"""Every performance figure of issues 7, 11, 14 and 16, side by side in one run: ``make bench``.

    python benchmarks/bench.py [--write benchmarks/RESULTS.md] [--runs 5] [--peer-runs 3]
    python benchmarks/bench.py --only audit [--audit-megabytes 100]   # issue 16's rows alone

Standard library only. The peers (datamodel-code-generator, pydantic) live in their own
environment, ``benchmarks/.venv`` (gitignored), created with ``python3 -m venv`` and filled
with pip on first use; they never become dependencies of the project.

How it measures:

* every figure is a child process; CPU time (user + system) and peak memory (``ru_maxrss``)
  come from ``os.wait4``, i.e. the child's own ``getrusage(RUSAGE_CHILDREN)`` record, including
  the grandchildren it waited for (``make`` -> ``python``); wall time from ``perf_counter``;
* each figure is the median of several runs; runs of a figure and its reference alternate, so
  a noisy neighbour slows both;
* generation writes only to fresh temporary directories, never to the repository's
  ``generated/``; a cold run gets a new output directory every time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

VENV = HERE / ".venv"
PEERS = ("datamodel-code-generator==0.89.0", "pydantic==2.14.3")
SPEC_NAME = "x-api-v2-2.167.json"
#: datamodel-code-generator's fastest configuration: its built-in formatter instead of black+isort.
DCG_FASTEST = ("--formatters", "builtin")
DIFF_OLD = "x-api-v2-2.159.json"
MB = 1_000_000  # as benchmarks/synth.py counts
#: The 1-minute load average when the run started (see ``report``).
LOAD: list[float] = []


# --- running children -------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss: int  # bytes
    returncode: int
    stdout: str
    stderr: str


def importtime_of(stderr: str, module: str) -> float:
    """Seconds ``-X importtime`` reports as the cumulative import time of ``module``."""
    for line in stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    raise SystemExit(f"bench: no -X importtime line for {module}")


def run(cmd: Sequence[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None, ok: Sequence[int] = (0,)) -> Sample:
    """Run ``cmd`` to completion; wall, CPU and peak RSS of the child and its descendants."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        sample = Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"))
    if sample.returncode not in ok:
        raise SystemExit(f"bench: {shlex.join(cmd)} exited {sample.returncode}\n{sample.stderr[-3000:]}")
    return sample


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def maxrss(self) -> int:
        return max(s.maxrss for s in self.samples)

    def __len__(self) -> int:
        return len(self.samples)


def alternate(runs: int, jobs: dict[str, Callable[[], Sample]], before: Callable[[], None] | None = None) -> dict[str, Series]:
    """``runs`` rounds; each round runs every job once, in a rotating order."""
    names = list(jobs)
    result = {name: Series() for name in names}
    for round_ in range(runs):
        order = names[round_ % len(names):] + names[: round_ % len(names)]
        for name in order:
            if before is not None:
                before()
            result[name].samples.append(jobs[name]())
    return result


# --- formatting -------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


@dataclass
class Row:
    figure: str
    measured: str
    reference: str
    ratio: str
    target: str
    passed: bool | None  # None: informational
    command: str


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else ("**PASS**" if passed else "**FAIL**")


def short(path: Path | str) -> str:
    """A path as a reader of RESULTS.md should see it: relative to the repo when inside it."""
    text = str(path)
    for base, label in ((str(ROOT) + "/", ""), (str(ROOT.parent) + "/", "../")):
        if text.startswith(base):
            return label + text[len(base):]
    return text


def cmdline(cmd: Sequence[str | Path]) -> str:
    return " ".join(shlex.quote(short(part)) for part in cmd)


# --- environment ------------------------------------------------------------------------


def peer_python() -> Path:
    """benchmarks/.venv/bin/python with the peers installed (created on first use)."""
    python = VENV / "bin" / "python"
    probe = [str(python), "-c", "import datamodel_code_generator, pydantic"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print("bench: creating benchmarks/.venv with " + ", ".join(PEERS), file=sys.stderr)
    if not python.exists():
        subprocess.run([shutil.which("python3") or sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PEERS], check=True)
    return python


def pip_version(python: Path, dist: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return done.stdout.strip() or "?"


def machine() -> list[str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return [
        f"- Platform: {platform.platform()}",
        f"- CPU: {cpu}; {os.cpu_count()} logical cores; memory {mem}",
        f"- Python: {platform.python_implementation()} {platform.python_version()} ({short(sys.executable)})",
    ]


# --- the figures ------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.py = str(args.python)
        self.specs: Path = args.specs.resolve()
        self.spec = self.specs / SPEC_NAME
        self.tmp = Path(tempfile.mkdtemp(prefix="xp-bench-"))
        self.rows: list[Row] = []
        self.tables: list[str] = []
        self.notes: list[str] = []
        self._peer: Path | None = None
        self.cold_wall = 0.0
        self.out_for_package: Path | None = None
        self._n = 0

    @property
    def peer(self) -> Path:
        """The peers' interpreter, created on first use: ``--only audit`` needs no peers."""
        if self._peer is None:
            self._peer = peer_python()
        return self._peer

    def fresh(self, stem: str) -> Path:
        self._n += 1
        return self.tmp / f"{stem}-{self._n}"

    def generate_cmd(self, spec: Path | None, out: Path, *, history: bool = True) -> list[str]:
        """``xproblems generate``: the pinned current spec and history unless told otherwise."""
        cmd = [self.py, "-m", "xproblems", "generate"]
        if spec is not None:
            cmd += ["--spec", str(spec)]
        if not history:
            cmd.append("--no-history")
        return [*cmd, "--out", str(out), "--quiet"]

    def make_cmd(self, target: str, out: Path) -> list[str]:
        """``make generate`` / ``make check`` as users run them, into ``out``."""
        return ["make", "-s", "--no-print-directory", target, f"OUT={out}", f"PYTHON={self.py}"]

    # 1. cold generation versus datamodel-code-generator

    def cold(self) -> None:
        runs, peer_runs = self.args.runs, self.args.peer_runs
        dcg = str(self.peer.parent / "datamodel-codegen")

        def peer(*extra: str) -> Callable[[], Sample]:
            def job() -> Sample:
                out = self.fresh("dcg")
                out.mkdir()
                return run([dcg, "--input", str(self.spec), "--input-file-type", "openapi", "--output", str(out / "models.py"), *extra])

            return job

        def ours() -> Sample:
            out = self.fresh("cold")
            sample = run(self.make_cmd("generate", out))
            self.out_for_package = out
            return sample

        def ours_full() -> Sample:
            return run(self.generate_cmd(self.spec, self.fresh("cold-full")))

        jobs = {"ours": ours, "full": ours_full, "dcg": peer(), "dcg-fast": peer(*DCG_FASTEST)}
        series = alternate(peer_runs, jobs)
        for _ in range(runs - peer_runs):
            series["ours"].samples.append(ours())
            series["full"].samples.append(ours_full())
        ours_s, full_s = series["ours"], series["full"]
        self.cold_wall = ours_s.wall
        peer_cmd = ["benchmarks/.venv/bin/datamodel-codegen", "--input", self.spec, "--input-file-type", "openapi", "--output", "$TMP/models.py"]
        for name, label, target in (("dcg-fast", f"fastest mode (`{' '.join(DCG_FASTEST)}`)", 0.20), ("dcg", "default mode", None)):
            theirs = series[name]
            ratio = ours_s.cpu / theirs.cpu
            self.rows.append(
                Row(
                    f"Cold `make generate` (pinned 2.167 + history 2.134 2.152 2.159 + supplement; CPU) vs datamodel-codegen {label}",
                    f"{secs(ours_s.cpu)} CPU ({secs(ours_s.wall)} wall, n={len(ours_s)})",
                    f"datamodel-codegen {secs(theirs.cpu)} CPU ({secs(theirs.wall)} wall, n={len(theirs)})",
                    f"{ratio:.2f}×",
                    f"≤ {target:.2f}×" if target else "(information)",
                    ratio <= target if target else None,
                    cmdline(["make", "generate", "OUT=$FRESH_TMP"]) + " vs " + cmdline([*peer_cmd, *(DCG_FASTEST if name == "dcg-fast" else ())]),
                )
            )
        fast = series["dcg-fast"]
        self.rows.append(
            Row(
                "Cold `generate --spec` X's full published 2.167 (validated with openapi-pydantic; what the weekly job pays once)",
                f"{secs(full_s.cpu)} CPU ({secs(full_s.wall)} wall, n={len(full_s)})",
                f"datamodel-codegen fastest mode {secs(fast.cpu)} CPU",
                f"{full_s.cpu / fast.cpu:.2f}×",
                "(information)",
                None,
                cmdline(self.generate_cmd(self.spec, Path("$FRESH_TMP"))),
            )
        )

    # 2. warm make generate / make check versus json.load of the spec

    def warm(self) -> None:
        out = self.fresh("warm")
        run(self.make_cmd("generate", out))
        make_gen, make_chk = self.make_cmd("generate", out), self.make_cmd("check", out)
        direct = [self.py, "-m", "xproblems", "check", "--out", str(out)]
        baseline = [self.py, "-c", f"import json; json.load(open({str(self.spec)!r}))"]
        before = snapshot(out)
        runs = max(2 * self.args.runs + 1, 11)
        series = alternate(runs, {
            "json": lambda: run(baseline),
            "make generate": lambda: run(make_gen),
            "make check": lambda: run(make_chk),
            "check": lambda: run(direct),
        })
        untouched = snapshot(out) == before
        base = series["json"].wall
        self.notes.append(
            f"Warm runs wrote nothing: every file's mtime and size in the output directory were the same after "
            f"{runs} warm `make generate` runs ({'yes' if untouched else 'NO'})."
        )
        shown = {
            "make generate": cmdline(["make", "generate", "OUT=$OUT"]),
            "make check": cmdline(["make", "check", "OUT=$OUT"]),
            "check": cmdline([*direct[:-1], "$OUT"]),
        }
        for name in ("make generate", "make check", "check"):
            s = series[name]
            ratio = s.wall / base
            target = name.startswith("make")
            self.rows.append(
                Row(
                    f"Warm `{name}` (nothing changed, wall)" if target else "Warm `python -m xproblems check` without make (wall)",
                    f"{ms(s.wall)} ({ms(s.cpu)} CPU, n={len(s)})",
                    f"`json.load` of X's published 2.167 {ms(base)} ({ms(series['json'].cpu)} CPU)",
                    f"{ratio:.2f}×",
                    "≤ 3×" if target else "(information)",
                    (ratio <= 3.0 and untouched) if target else None,
                    shown[name] + " vs " + cmdline(baseline[:2]) + " 'import json; json.load(open(SPEC))'",
                )
            )

    # 3. diff of two specs

    def diff(self) -> None:
        probe = run([self.py, "-m", "xproblems", "diff", "--help"], ok=(0, 1, 2))
        if probe.returncode != 0:
            self.rows.append(Row("`diff OLD NEW` (wall)", "not available (`python -m xproblems diff` missing)", "", "", "< 0.5 s", False, ""))
            return
        cmd = [self.py, "-m", "xproblems", "diff", str(self.specs / DIFF_OLD), str(self.spec)]
        oasdiff = shutil.which("oasdiff")
        jobs = {"ours": lambda: run(cmd, ok=(0, 1))}
        if oasdiff:
            peer_cmd = [oasdiff, "diff", str(self.specs / DIFF_OLD), str(self.spec)]
            jobs["oasdiff"] = lambda: run(peer_cmd, ok=(0, 1))
        series = alternate(max(self.args.runs, 5), jobs)
        s = series["ours"]
        if oasdiff:
            reference = f"oasdiff {secs(series['oasdiff'].wall)} wall"
            ratio = f"{s.wall / series['oasdiff'].wall:.2f}× oasdiff"
        else:
            reference = f"full cold generation {secs(self.cold_wall)} wall (oasdiff: not installable here)"
            ratio = f"{s.wall / self.cold_wall:.2f}× generation" if self.cold_wall else ""
        self.rows.append(Row("`diff` 2.159 → 2.167 (wall)", f"{secs(s.wall)} ({secs(s.cpu)} CPU, n={len(s)})", reference, ratio, "< 0.5 s", s.wall < 0.5, cmdline(cmd)))
        if not oasdiff:
            self.notes.append(
                "oasdiff is a Go program; this machine reaches only PyPI, Debian's and npm's registries, none of which "
                "ships it, and it has no Go toolchain, so the diff is shown beside a full generation instead."
            )

    # 4. the generated package: import cost and partial errors

    def package(self) -> None:
        out = self.out_for_package
        if out is None:
            out = self.fresh("pkg")
            run(self.make_cmd("generate", out))
        setup = f"import sys; sys.path.insert(0, {str(out)!r})"
        runs = max(4 * self.args.runs + 1, 21)
        # The target: what `import x_problems` itself costs in a normal interpreter (site on, as
        # `python -c pass` runs), from the interpreter's own -X importtime (cumulative time of
        # the package): process start-up wall times on a shared VM swing by more than the 10 ms
        # being measured. Wall-clock rows follow for information, including -S (no site: every
        # stdlib module the package needs counted, enum's ~6 ms among them).
        timed = [self.py, "-I", "-X", "importtime", "-c", setup + "; import x_problems"]
        costs = sorted(importtime_of(run(timed).stderr, "x_problems") for _ in range(runs))
        cost = statistics.median(costs)
        self.rows.append(
            Row(
                "`import x_problems` in `python -c pass` (site on; -X importtime, cumulative)",
                f"+{cost * 1000:.1f} ms (min {costs[0] * 1000:.1f}, max {costs[-1] * 1000:.1f}, n={runs})",
                "`python -I -c pass` (same sys.path set-up)",
                "",
                "≤ +10 ms",
                cost <= 0.010,
                cmdline(timed[:-1]) + " 'import sys; sys.path.insert(0, OUT); import x_problems'",
            )
        )
        for flags in (["-I"], ["-I", "-S"]):
            bare = [self.py, *flags, "-c", setup]
            loaded = [self.py, *flags, "-c", setup + "; import x_problems"]
            series = alternate(runs, {"pass": lambda bare=bare: run(bare), "import": lambda loaded=loaded: run(loaded)})
            extra = series["import"].wall - series["pass"].wall
            self.rows.append(
                Row(
                    f"`import x_problems` over `python {' '.join(flags)} -c pass` (wall, process start-up included)",
                    f"+{extra * 1000:.1f} ms ({ms(series['import'].wall)} vs {ms(series['pass'].wall)}, n={runs})",
                    f"`python {' '.join(flags)} -c pass` (same sys.path set-up)",
                    "",
                    "(information)",
                    None,
                    cmdline(loaded[:-1]) + " 'import sys; sys.path.insert(0, OUT); import x_problems'",
                )
            )
        script = HERE / "_partial.py"
        done = run([str(self.peer), str(script), str(out), str(self.args.runs)])
        result = json.loads(done.stdout)
        # The target compares like with like: the same parsed body validated into models.
        # The bytes row adds JSON decoding, where the stdlib's json.loads alone costs about
        # what pydantic's Rust parser and validator take together: information only.
        for label, ours_key, theirs_key, target in (
            ("parsed body (dict)", "x_problems_dict", "pydantic_dict", True),
            ("raw body (bytes, JSON decoding included; stdlib json.loads alone is most of it)", "x_problems_bytes", "pydantic_bytes", False),
        ):
            ours_t, theirs_t = result[ours_key], result[theirs_key]
            self.rows.append(
                Row(
                    f"200 body with 100 partial errors → typed problems, {label}",
                    f"`x_problems.partial_errors` {ours_t * 1e6:.0f} µs",
                    f"pydantic {result['pydantic_version']} {theirs_t * 1e6:.0f} µs",
                    f"{ours_t / theirs_t:.2f}×",
                    "≤ 1× (stdlib only)" if target else "(information)",
                    ours_t <= theirs_t if target else None,
                    cmdline(["benchmarks/.venv/bin/python", "benchmarks/_partial.py", "$OUT", str(self.args.runs)]),
                )
            )

    # 5. scale: synthetic specs

    def scale(self) -> None:
        runs = self.args.scale_runs
        specs = self.tmp / "synth"
        specs.mkdir()
        cases: dict[tuple[int, int], tuple[Path, int]] = {}
        for types, megabytes in sorted({(10, 1), (100, 1), (1000, 1), (3000, 1), (1000, 5), (1000, 20)}):
            path = specs / f"synth-{types}-{megabytes}.json"
            # In a child: a 20 MB document built here would raise this process's peak RSS, which
            # Linux hands on to every child forked later (ru_maxrss survives fork and exec).
            run([self.py, str(HERE / "synth.py"), "--types", str(types), "--megabytes", str(megabytes), "--out", str(path)])
            cases[types, megabytes] = (path, path.stat().st_size)
        results: dict[tuple[int, int], Series] = {}
        for key, (path, _size) in cases.items():
            results[key] = Series([run(self.generate_cmd(path, self.fresh("scale"), history=False)) for _ in range(runs)])

        lines = [
            "| problem types | spec size | wall | CPU | marginal CPU per type | peak RSS |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        prev: tuple[int, float] | None = None
        slopes = []
        for types in (10, 100, 1000, 3000):
            s = results[types, 1]
            slope = ""
            if prev is not None:
                per = (s.cpu - prev[1]) / (types - prev[0])
                slopes.append(per)
                slope = f"{per * 1000:.2f} ms"
            prev = (types, s.cpu)
            lines.append(f"| {types} | {cases[types, 1][1] / MB:.1f} MB | {secs(s.wall)} | {secs(s.cpu)} | {slope} | {mib(s.maxrss)} |")
        self.tables.append("### Scale: problem types (1 MB of unrelated paths)\n\n" + "\n".join(lines))
        # The slopes that matter are the two upper ones: below 100 types a whole run is a
        # few tenths of a second, and its slope is within run-to-run noise. Quadratic work
        # would make the 1,000 -> 3,000 slope ~3.6x the 100 -> 1,000 one.
        low, high = slopes[1], slopes[2]
        linear = high <= 2 * low + 0.0002
        self.rows.append(
            Row(
                "Scale: time linear in problem types (100 → 1,000 → 3,000)",
                f"{low * 1000:.2f} ms/type (100→1,000), {high * 1000:.2f} ms/type (1,000→3,000)",
                "the 100 → 1,000 slope",
                f"{high / low:.2f}×" if low > 0 else "",
                "slope ≤ 2× (linear)",
                linear,
                cmdline(["python", "benchmarks/synth.py", "--types", "N", "--megabytes", "M", "--out", "$SPEC"]) + " && " + cmdline(self.generate_cmd(Path("$SPEC"), Path("$FRESH_TMP"), history=False)),
            )
        )

        lines = ["| unrelated paths | spec size | wall | CPU | peak RSS | peak RSS − 1 MB case |", "|---:|---:|---:|---:|---:|---:|"]
        small = results[1000, 1]
        for megabytes in (1, 5, 20):
            s = results[1000, megabytes]
            lines.append(f"| {megabytes} MB | {cases[1000, megabytes][1] / MB:.1f} MB | {secs(s.wall)} | {secs(s.cpu)} | {mib(s.maxrss)} | {mib(s.maxrss - small.maxrss)} |")
        self.tables.append("### Scale: spec size (1,000 problem types)\n\n" + "\n".join(lines))
        big, big_size = results[1000, 20], cases[1000, 20][1]
        growth = (big.maxrss - small.maxrss) / (big_size - cases[1000, 1][1])
        whole = big.maxrss / big_size
        self.rows.append(
            Row(
                "Scale: memory, 1,000 types + 20 MB of paths",
                f"peak RSS {mib(big.maxrss)} for a {big_size / MB:.1f} MB spec ({whole:.1f}× its size)",
                f"1 MB case {mib(small.maxrss)}",
                f"{growth:.1f}× per added spec byte",
                "≤ 10× per added byte",
                growth <= 10,
                cmdline(self.generate_cmd(Path("$SYNTH_1000_20MB"), Path("$FRESH_TMP"), history=False)),
            )
        )
        linear_size = results[1000, 20].cpu - results[1000, 1].cpu
        self.notes.append(
            f"Spec size costs {linear_size / ((cases[1000, 20][1] - cases[1000, 1][1]) / MB):.2f} s CPU per added MB "
            "(reading, strict JSON checks and openapi-pydantic validation of the whole document; extraction skips paths)."
        )
        self.scale_enum_values(specs, runs)
        self.scale_yaml(specs, runs)

    def synth(self, specs: Path, name: str, *args: str) -> tuple[Path, int]:
        """A synthetic spec written by benchmarks/synth.py in a child (see ``scale``), and its size."""
        path = specs / name
        run([self.py, str(HERE / "synth.py"), *args, "--out", str(path)])
        return path, path.stat().st_size

    def scale_series(self, path: Path, runs: int) -> Series:
        return Series([run(self.generate_cmd(path, self.fresh("scale"), history=False)) for _ in range(runs)])

    # 5b. issue 14: 20,000 enum values (names.unique and merge were quadratic: 77 s)

    def scale_enum_values(self, specs: Path, runs: int) -> None:
        # Sizes far apart, as for problem types: quadratic work would make the upper slope
        # ~4x the lower one (doubling sizes, it would be only 2x). Not below 5,000: there the
        # values cost less than the run-to-run noise of a ~0.7 s start-up, and fit in the
        # CPU caches (per value, 1k -> 5k measures ~13 us, 5k -> 80k ~35-40 us, with the
        # same call counts per value: tests/test_scale.py counts the work).
        counts = (5_000, 20_000, 80_000)
        cases = {n: self.synth(specs, f"enum-{n}.json", "--types", "10", "--megabytes", "0", "--enum-values", str(n)) for n in counts}
        results = {n: self.scale_series(path, runs) for n, (path, _size) in cases.items()}
        lines = ["| enum values | spec size | wall | CPU | marginal CPU per value | peak RSS |", "|---:|---:|---:|---:|---:|---:|"]
        slopes, prev = [], None
        for n in counts:
            s, slope = results[n], ""
            if prev is not None:
                slopes.append((s.cpu - prev[1]) / (n - prev[0]))
                slope = f"{slopes[-1] * 1e6:.0f} µs"
            prev = (n, s.cpu)
            lines.append(f"| {n:,} | {cases[n][1] / MB:.2f} MB | {secs(s.wall)} | {secs(s.cpu)} | {slope} | {mib(s.maxrss)} |")
        self.tables.append(
            "### Scale: enum values of one field (10 problem types; half the values share one member name)\n\n" + "\n".join(lines)
        )
        big = results[20_000]
        low, high = slopes
        self.rows.append(
            Row(
                "Scale: 20,000 enum values of one field, half of them one member name (was 77 s: names.unique and merge were quadratic)",
                f"{secs(big.cpu)} CPU ({secs(big.wall)} wall, n={len(big)}); {high * 1e6:.0f} µs/value (20k→80k) vs {low * 1e6:.0f} µs/value (5k→20k)",
                "the 5,000 → 20,000 slope",
                f"{high / low:.2f}×" if low > 0 else "",
                "≤ 10 s CPU; slope ≤ 2× (linear)",
                big.cpu <= 10 and high <= 2 * low + 20e-6,
                cmdline(["python", "benchmarks/synth.py", "--types", "10", "--megabytes", "0", "--enum-values", "20000", "--out", "$SPEC"])
                + " && "
                + cmdline(self.generate_cmd(Path("$SPEC"), Path("$FRESH_TMP"), history=False)),
            )
        )

    # 5c. issue 14: a 12 MB YAML spec (320 s and 730 MiB with PyYAML's pure-Python parser and composer)

    def scale_yaml(self, specs: Path, runs: int) -> None:
        sizes = (1, 3, 6, 12)
        cases = {m: self.synth(specs, f"synth-100-{m}.yaml", "--types", "100", "--megabytes", str(m)) for m in sizes}
        results = {m: self.scale_series(path, runs) for m, (path, _size) in cases.items()}
        lines = ["| YAML spec | wall | CPU | CPU per MB | peak RSS | peak RSS − 1 MB case |", "|---:|---:|---:|---:|---:|---:|"]
        for m in sizes:
            s, size = results[m], cases[m][1]
            extra = s.maxrss - results[sizes[0]].maxrss
            lines.append(f"| {size / MB:.1f} MB | {secs(s.wall)} | {secs(s.cpu)} | {s.cpu / (size / MB):.2f} s | {mib(s.maxrss)} | {mib(extra)} |")
        self.tables.append("### Scale: YAML spec size (100 problem types, block-style YAML)\n\n" + "\n".join(lines))
        small, big = results[sizes[0]], results[sizes[-1]]
        small_size, big_size = cases[sizes[0]][1], cases[sizes[-1]][1]
        # Linear: the added CPU per added MB between the two largest is no more than twice
        # that between the two smallest (quadratic work would make it ~4.5x here).
        low = (results[3].cpu - small.cpu) / ((cases[3][1] - small_size) / MB)
        high = (big.cpu - results[6].cpu) / ((big_size - cases[6][1]) / MB)
        self.rows.append(
            Row(
                "Scale: 12 MB YAML spec (was 320 s and 730 MiB: PyYAML's pure-Python parser, node tree and constructor)",
                f"{secs(big.cpu)} CPU ({secs(big.wall)} wall, n={len(big)}), peak RSS {mib(big.maxrss)} ({big.maxrss / big_size:.1f}× its size); "
                f"{high:.2f} s/MB (6→12 MB) vs {low:.2f} s/MB (1→3 MB)",
                f"1 MB YAML {secs(small.cpu)} CPU, {mib(small.maxrss)}",
                f"{high / low:.2f}× slope" if low > 0 else "",
                "≤ 30 s CPU; ≤ 400 MiB; slope ≤ 2× (linear)",
                big.cpu <= 30 and big.maxrss <= 400 * 2**20 and high <= 2 * low + 0.05,
                cmdline(["python", "benchmarks/synth.py", "--types", "100", "--megabytes", "12", "--out", "$SPEC.yaml"])
                + " && "
                + cmdline(self.generate_cmd(Path("$SPEC.yaml"), Path("$FRESH_TMP"), history=False)),
            )
        )
        rates = self.yaml_read_rates(cases[3][0])
        self.notes.append(
            f"YAML costs {(big.cpu - small.cpu) / ((big_size - small_size) / MB):.2f} s CPU per added MB in all. Reading alone "
            f"(`load.parse_yaml`, in one process, the {cases[3][1] / MB:.1f} MB case): {rates['libyaml']:.2f} s/MB with libyaml's parser "
            f"(PyYAML's C extension) giving the events and one pass building checked plain data from them; "
            f"{rates['python']:.2f} s/MB with PyYAML's pure-Python parser, which now reads only what libyaml refuses "
            "(and everything where PyYAML has no libyaml)."
        )
        self.notes.append(
            "Before issue 14's item 4 (commit 4286da1, this machine, one run each): 20,000 enum values 22.5 s CPU "
            "(5,000: 1.5 s, 10,000: 5.3 s: merge was quadratic); 12 MB YAML 28.7 s CPU and 468 MiB "
            "(1 / 3 / 6 MB: 3.1 / 8.4 / 14.5 s: 2.4 s/MB in PyYAML's pure-Python parser); 21 MB JSON 4.1 s CPU."
        )

    def yaml_read_rates(self, path: Path) -> dict[str, float]:
        """CPU seconds per MB of ``load.parse_yaml`` on ``path``, with and without libyaml."""
        code = (
            "import json, sys, time\nfrom xproblems.load import parse_yaml\n"
            "text = open(sys.argv[1], encoding='utf-8').read(); rates = {}\n"
            "for name, lib in (('libyaml', True), ('python', False)):\n"
            "    start = time.process_time(); doc, diags = parse_yaml(text, sys.argv[1], libyaml=lib)\n"
            "    assert doc is not None, diags\n"
            "    rates[name] = (time.process_time() - start) / (len(text.encode()) / 1e6)\n"
            "print(json.dumps(rates))"
        )
        rates: dict[str, float] = json.loads(run([self.py, "-c", code, str(path)]).stdout)
        return rates

    # 6. issue 16: `xproblems audit` of 1 GB of recorded traffic, in bounded memory

    def audit(self) -> None:
        megabytes, runs = self.args.audit_megabytes, self.args.audit_runs
        where = self.tmp / "traffic"
        where.mkdir()
        try:
            self.audit_rows(where, megabytes, runs)
        finally:  # a gigabyte on disk: gone before the next figure, whatever happened
            shutil.rmtree(where, ignore_errors=True)

    def traffic(self, path: Path, megabytes: float) -> dict[str, int]:
        """Synthetic recorded traffic written by benchmarks/traffic_synth.py in a child (see ``scale``)."""
        done = run([self.py, str(HERE / "traffic_synth.py"), "--megabytes", str(megabytes), "--out", str(path)])
        made: dict[str, int] = json.loads(done.stdout)
        return made

    def audit_rows(self, where: Path, megabytes: float, runs: int) -> None:
        big, small = where / "traffic.jsonl", where / "traffic-tenth.jsonl"
        made = self.traffic(big, megabytes)
        # The same seed: the tenth is the big file's first tenth, so memory can be compared.
        made_small = self.traffic(small, megabytes / 10)
        audit = [self.py, "-m", "xproblems", "audit", str(big), "--format", "json"]
        loop = "import json, sys\nfor line in open(sys.argv[1], 'rb'):\n    if line.strip():\n        json.loads(line)"
        bare = [self.py, "-c", loop, str(big)]
        series = alternate(runs, {"audit": lambda: run(audit), "json": lambda: run(bare)})
        tenth = run([*audit[:4], str(small), *audit[5:]])
        report = json.loads(series["audit"].samples[-1].stdout)
        totals = report["totals"]
        if totals["responses"] + totals["frames"] != made["lines"]:  # a bench of a partial read would mean nothing
            raise SystemExit(f"bench: audit read {totals['responses']} responses + {totals['frames']} frames of {made['lines']} lines")
        size, s, j = made["bytes"], series["audit"], series["json"]
        label = f"{size / MB:,.0f} MB" if size < 1e9 * 0.98 else f"{size / 1e9:.2f} GB"
        shown = cmdline(["python", "benchmarks/traffic_synth.py", "--megabytes", f"{megabytes:g}", "--out", "$TRAFFIC"]) + " && "
        self.rows.append(
            Row(
                f"`audit` of {label} of synthetic recorded traffic (JSON Lines, {made['lines']:,} lines): peak RSS",
                f"{s.maxrss / MB:.0f} MB ({mib(s.maxrss)}; the larger of n={len(s)})",
                f"its first tenth ({made_small['bytes'] / MB:,.0f} MB) {tenth.maxrss / MB:.0f} MB; "
                f"the `json.loads` loop {j.maxrss / MB:.0f} MB",
                f"{s.maxrss / tenth.maxrss:.2f}× the tenth's",
                "< 200 MB",
                s.maxrss < 200 * MB,
                shown + cmdline([*audit[:4], "$TRAFFIC", *audit[5:]]),
            )
        )
        # Information, not a target: audit's per-record work (headers, route, time, the
        # tally) is constant per line while json.loads costs per byte, so the ratio depends on
        # the mix's mean line size; issue 16 asks only that it be reported.
        self.rows.append(
            Row(
                f"`audit --format json` throughput, {label} (CPU; n={len(s)} at this size) vs a bare `json.loads` loop over the same lines",
                f"{size / MB / s.cpu:.0f} MB/s CPU, {size / MB / s.wall:.0f} MB/s wall ({secs(s.cpu)} CPU, {secs(s.wall)} wall)",
                f"`json.loads` loop {size / MB / j.cpu:.0f} MB/s CPU, {size / MB / j.wall:.0f} MB/s wall ({secs(j.cpu)} CPU, n={len(j)})",
                f"{s.cpu / j.cpu:.2f}× the loop's CPU",
                "(information)",
                None,
                shown + cmdline([*audit[:4], "$TRAFFIC", *audit[5:]]) + " vs " + cmdline(bare[:2]) + " " + ansi_c(loop) + " '$TRAFFIC'",
            )
        )
        outcomes = ", ".join(f"{k} {v:,}" for k, v in report["outcomes"].items())
        frames = ", ".join(f"{k} {v:,}" for k, v in report["stream"]["frames"].items())
        unknown = sum(1 for t in report["types"] if not t["known"])
        self.tables.append(
            "### Audit: the synthetic recording (benchmarks/traffic_synth.py, seed 16) and what audit made of it\n\n"
            "| size | lines | responses | outcomes | stream frames | problem types (unknown) | new to the catalogue |\n"
            "|---:|---:|---:|---|---|---:|---:|\n"
            f"| {size / MB:,.1f} MB | {made['lines']:,} | {totals['responses']:,} | {outcomes} | {frames} | "
            f"{len(report['types'])} ({unknown}) | {totals['new']} |"
        )
        self.notes.append(
            f"Audit's start-up (catalogue of the pinned history and the supplement) is included: the first tenth's run took "
            f"{secs(tenth.cpu)} CPU for {made_small['bytes'] / MB:,.0f} MB. The file is written and read on the same machine, "
            "so both children read it from the page cache (not counted in RSS); it is deleted after these rows."
        )

    # --- report ---------------------------------------------------------------------------

    def report(self, started: float, argv: Sequence[str]) -> str:
        ours = f"generator: black {pip_version(Path(self.py), 'black')}, openapi-pydantic {pip_version(Path(self.py), 'openapi-pydantic')}"
        peers = (
            f"Peers (benchmarks/.venv): datamodel-code-generator {pip_version(self._peer, 'datamodel-code-generator')}, "
            f"pydantic {pip_version(self._peer, 'pydantic')}; "
            if self._peer is not None
            else ""
        )
        versions = [f"- {peers}{ours}"]
        lines = [
            "# Benchmarks",
            "",
            "Produced by `make bench`, i.e.",
            "",
            "    " + " ".join(["python", "benchmarks/bench.py", *argv]),
            "",
            f"in {time.perf_counter() - started:.0f} s. Every figure is the median of n runs of a child process "
            "(CPU = user + system of the child and its children, from `wait4`); figures and their references "
            "alternate within one run of this script. Generation writes to fresh temporary directories.",
            "",
            "## Machine",
            "",
            *machine(),
            f"- Load average (1 min) at the start and the end of this run: {LOAD[0]:.1f}, {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} logical cores (above the core count, other processes shared the CPUs: wall times stretch)",
            *versions,
            "",
            "## Targets (issues 7, 11, 14 and 16)",
            "",
            "| figure | measured | reference | ratio | target | result |",
            "|---|---|---|---|---|---|",
        ]
        lines += [f"| {r.figure} | {r.measured} | {r.reference} | {r.ratio} | {r.target} | {verdict(r.passed)} |" for r in self.rows]
        for table in self.tables:
            lines += ["", table]
        lines += ["", "## Notes", ""]
        lines += [f"- {n}" for n in self.notes]
        lines += ["", "## Commands", ""]
        lines += [f"- {r.figure}: `{r.command}`" for r in self.rows if r.command]
        return "\n".join(lines) + "\n"


def ansi_c(code: str) -> str:
    """Multi-line code as one shell word (bash's ``$'...'``), so the command can be pasted."""
    return "$'" + code.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def snapshot(out: Path) -> list[tuple[str, int, int]]:
    return sorted((str(p.relative_to(out)), p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*"))


FIGURES = ("cold", "warm", "diff", "package", "scale", "audit")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the Markdown report here (else print it)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median); default 5")
    parser.add_argument("--peer-runs", type=int, default=3, help="runs of datamodel-codegen; default 3")
    parser.add_argument("--scale-runs", type=int, default=3, help="runs per synthetic spec; default 3")
    parser.add_argument("--audit-megabytes", type=float, default=1000.0, help="size of the recorded traffic audited (1 MB = 10**6 bytes); default 1000")
    parser.add_argument("--audit-runs", type=int, default=2, help="runs of audit and of the json.loads loop at that size; default 2")
    parser.add_argument("--specs", type=Path, default=ROOT.parent / "shared" / "specs", help="directory of X's specs")
    parser.add_argument("--python", type=Path, default=Path(sys.executable), help="the project's interpreter")
    parser.add_argument("--only", nargs="*", choices=FIGURES, help="run only these figures")
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(raw)
    started = time.perf_counter()
    LOAD.append(os.getloadavg()[0])
    bench = Bench(args)
    try:
        for name in FIGURES:
            if args.only is None or name in args.only:
                print(f"bench: {name}", file=sys.stderr)
                getattr(bench, name)()
        text = bench.report(started, raw)
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"bench: wrote {args.write}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    failed = [r.figure for r in bench.rows if r.passed is False]
    for figure in failed:
        print(f"bench: FAIL: {figure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
