"""Hostile and broken input (issue 6): every case of ``tests/hostile/`` through the CLI.

Each ``tests/hostile/NNN-name/`` holds a spec (``spec.json``/``spec.yaml``, or raw bytes),
optionally a ``supplement.yaml`` (else ``_base/supplement.yaml``), and ``expect.json``:

* ``reject``: exit 2, one ``error: <file>: <pointer>: <message>`` line per problem, no
  traceback, and the pre-existing ``generated/`` tree byte-identical, no temp files left;
* ``escape``: exit 0; every listed literal is an exact string constant of the generated
  code, every listed docstring text is in a docstring, the AST and the Markdown have the
  same shape as the benign twin (``twin``: the same case with benign values), the output
  holds no control, bidi or line-break character but ``\\n``, and the package imports and
  dispatches in a fresh interpreter;
* ``rename``: exit 0; every attribute, class and member name is a valid, non-keyword,
  non-shadowing identifier, one-to-one, as ``expect.json`` states, and the JSON key is
  still what the class parses.

The CLI (``xproblems.cli.main``, what ``python -m xproblems`` runs) is driven by two
long-lived worker subprocesses so the corpus costs one interpreter start per worker, not
per case; an audit hook in each worker refuses and records any socket use, so the ``$ref``
cases also prove that no network connection is attempted. The output-safety (bullet 5)
and determinism (bullet 6) tests below run ``python -m xproblems`` itself.
"""

from __future__ import annotations

import ast
import builtins
import copy
import fcntl
import hashlib
import json
import keyword
import os
import queue
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from xproblems import names
from xproblems.escape import doc_text
from xproblems.fingerprint import BLACK_VERSION
from xproblems.load import MAX_BYTES
from xproblems.render import BLACK_LINE_LENGTH
from xproblems.runtime_source import RESERVED_ATTRS

from .conftest import without_positions
from .gfm import unescaped_pipes
from .test_docs_gfm import check_errors_md

# Subprocess generations of whole specs: the full suite runs them, `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"
BASE_SPEC = HOSTILE / "_base" / "spec.json"
BASE_SUPPLEMENT = HOSTILE / "_base" / "supplement.yaml"
PACKAGE = "x_problems"
CASES = sorted(p for p in HOSTILE.iterdir() if p.is_dir() and re.fullmatch(r"\d{3}-[a-z0-9-]+", p.name))
WORKERS = max(2, min(4, os.cpu_count() or 2))
# ``file:line:col`` where the file parses and the pointer is below its root (test_annotations.py).
DIAG = re.compile(r"(?P<level>error|warning): (?P<file>.+?)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<pointer>/.*?): (?P<message>.+)")

# --- the CLI worker ------------------------------------------------------------------------

_WORKER = r"""
import contextlib, io, json, os, sys, traceback
NETWORK = []
def _guard(event, args):
    if event.startswith("socket.") or event.startswith("http.client.") or event == "urllib.Request":
        NETWORK.append(event)
        raise RuntimeError("network access attempted: " + event)
sys.addaudithook(_guard)
from xproblems.cli import main
out = sys.stdout
for line in sys.stdin:
    job = json.loads(line)
    os.chdir(job["cwd"])
    NETWORK.clear()
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        try:
            rc = main(job["argv"])
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            traceback.print_exc()
            rc = -1
    out.write(json.dumps({"rc": rc, "stderr": err.getvalue(), "stdout": std.getvalue(), "network": list(NETWORK)}) + "\n")
    out.flush()
"""


class _Worker:
    def __init__(self) -> None:
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
        )

    def run(self, argv: list[str], cwd: Path) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"CLI worker died (exit {self.proc.wait()}) on {argv}")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class _Pool:
    """Run CLI jobs on a few workers in parallel."""

    def __init__(self, size: int) -> None:
        self.idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(size):
            self.idle.put(_Worker())
        self.size = size

    def run(self, argv: list[str], cwd: Path) -> dict[str, Any]:
        worker = self.idle.get()
        try:
            return worker.run(argv, cwd)
        finally:
            self.idle.put(worker)

    def close(self) -> None:
        for _ in range(self.size):
            self.idle.get().close()


# --- trees, ASTs, Markdown -----------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every entry below ``root`` (dotfiles included): kind, content or link target, mode."""
    found: dict[str, tuple[str, bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            st = path.lstat()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path).encode(), 0)
            elif path.is_dir():
                found[rel] = ("dir", b"", 0)
            else:
                found[rel] = ("file", path.read_bytes(), st.st_mode & 0o777)
    return found


def py_modules(out: Path) -> dict[str, ast.Module]:
    pkg = out / PACKAGE
    return {p.name: ast.parse(p.read_text(encoding="utf-8"), filename=p.name) for p in sorted(pkg.glob("*.py"))}


def ast_shape(tree: ast.AST) -> str:
    """The tree with every string (identifier or constant) replaced: what code there is."""
    tree = copy.deepcopy(tree)
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if isinstance(value, str):
                setattr(node, name, "_")
    return ast.dump(tree)


def string_constants(trees: dict[str, ast.Module]) -> tuple[set[str], list[str]]:
    """All string constants, and those that are docstrings (a bare string statement)."""
    constants: set[str] = set()
    docs: list[str] = []
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                docs.append(node.value.value)
    return constants, docs


def md_shape(text: str) -> list[str]:
    """One label per line: heading level, table row with its cell count, list item, text."""
    labels = []
    for line in text.split("\n"):
        if not line:
            labels.append("blank")
        elif line.startswith("<!--"):
            labels.append("comment")
        elif m := re.match(r"(#+) ", line):
            labels.append(f"h{len(m.group(1))}")
        elif line.startswith("|"):
            labels.append(f"row{unescaped_pipes(line)}")
        elif m := re.match(r"( *)- ", line):
            labels.append(f"li{len(m.group(1))}")
        else:
            labels.append("text")
    return labels


def check_output_hygiene(out: Path) -> None:
    """UTF-8, LF only, no control/bidi/line-break character, 0644, pinned black in headers."""
    for path in sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        text = data.decode("utf-8")  # strict: a lone surrogate could not have been encoded
        assert path.stat().st_mode & 0o777 == 0o644, path
        bad = sorted({f"U+{ord(ch):04X}" for ch in text if ch != "\n" and not ch.isprintable()})
        assert not bad, f"{path}: characters that could break or disguise lines: {bad}"
        if path.suffix == ".py":
            first = text.split("\n", 1)[0]
            assert f"black {BLACK_VERSION}" in first and f"line length {BLACK_LINE_LENGTH}" in first, first
    md = (out / "docs" / "errors.md").read_text(encoding="utf-8")
    body = md.split("\n")[1:]
    fence = [i for i, line in enumerate(body) if re.match(r" {0,3}(```|~~~)", line)]
    assert len(fence) == 2 and body[fence[0]] == "```mermaid" and body[fence[1]] == "```", "code fences in errors.md: only the Mermaid diagram's"
    for i, line in enumerate(body):
        if fence[0] <= i <= fence[1]:
            continue  # the diagram: every line is checked by tests/gfm.py's mermaid()
        # Outside code spans (where CommonMark shows everything literally) and the anchors and
        # links the generator writes itself (escape.md_anchor, escape.md_link): no HTML, no link.
        # One pass, left to right, as CommonMark reads it: a backslash escape outside a code
        # span, or a whole code span (inside which a backslash is literal, even before the
        # closing backtick: a type URI may end in one).
        prose = re.sub(r"\\.|`[^`]*`", "", line)
        prose = re.sub(r'^### <a id="class-[a-z0-9_-]+"></a>', "### ", prose)
        prose = re.sub(r"\]\((?:#[a-z0-9_-]+|https://[A-Za-z0-9._~%/#-]+)\)", "", prose)
        assert "<" not in prose and ">" not in prose, f"raw HTML in errors.md: {line[:200]!r}"
        assert "](" not in prose and "]:" not in prose, f"link syntax in errors.md: {line[:200]!r}"
        assert not re.search(r"@[A-Za-z0-9]", line), f"a GitHub mention in errors.md: {line[:200]!r}"
        assert not re.match(r" *- (#{1,6}( |$)|[-+*]( |$)|\d{1,9}[.)]( |$)|>|=+ *$)", line), f"block markup opened by text: {line[:200]!r}"
    rows = [line for line in body if line.startswith("|")]
    header_cells: int | None = None
    for line in body:
        if not line.startswith("|"):
            header_cells = None
            continue
        if header_cells is None:
            header_cells = unescaped_pipes(line)
        assert unescaped_pipes(line) == header_cells, f"table row with extra cells: {line[:200]!r}"
    assert rows
    # And as GitHub renders it: tables, anchors, links, the diagram, no markup from spec text.
    check_errors_md(md)


# --- running the corpus ----------------------------------------------------------------------


@dataclass
class Run:
    rc: int
    stderr: str
    stdout: str
    network: list[str]
    out: Path
    cwd: Path
    before: dict[str, tuple[str, bytes, int]] = field(default_factory=dict)
    after: dict[str, tuple[str, bytes, int]] = field(default_factory=dict)


@dataclass
class Corpus:
    benign: dict[str, tuple[str, bytes, int]]
    runs: dict[str, Run]
    twins: dict[str, Run]
    probes: dict[str, dict[str, Any]]
    #: ``xproblems diff <base spec> <case spec>`` of every reject case (issue 14, item 8).
    diffs: dict[str, Run] = field(default_factory=dict)


def case_inputs(case: Path) -> tuple[Path, Path]:
    specs = sorted(case.glob("spec.*"))
    supplement = case / "supplement.yaml"
    return (specs[0] if specs else BASE_SPEC), (supplement if supplement.exists() else BASE_SUPPLEMENT)


def expectation(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((case / "expect.json").read_text(encoding="utf-8"))
    return data


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


def _apply(doc: Any, change: dict[str, Any]) -> None:
    *parents, last = _tokens(change["pointer"])
    node = doc
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if "rename_key" in change:
        node[change["rename_key"]] = node.pop(last)
    elif change.get("delete"):
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = change["value"]
    else:
        node[last] = change["value"]


def twin_inputs(case: Path, expect: dict[str, Any], where: Path) -> tuple[Path, Path] | None:
    """The benign twin of an escape case: the same files with the listed values made benign."""
    changes = expect.get("twin") or []
    if not changes:
        return None
    spec_path, supp_path = case_inputs(case)
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    supplement_text = supp_path.read_text(encoding="utf-8")
    for change in changes:
        if change["file"] == "spec":
            _apply(spec, change)
        elif change.get("value") == "_base":
            supplement_text = BASE_SUPPLEMENT.read_text(encoding="utf-8")
    spec_bytes = (json.dumps(spec, indent=2, ensure_ascii=True) + "\n").encode()
    digest = hashlib.sha256(spec_bytes + b"\0" + supplement_text.encode()).hexdigest()[:16]
    folder = where / f"twin-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.json").write_bytes(spec_bytes)
    (folder / "supplement.yaml").write_text(supplement_text, encoding="utf-8")
    return folder / "spec.json", folder / "supplement.yaml"


_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import x_problems as xp
summary = {"all": list(xp.__all__), "problem_types": [[m.value, m.name] for m in xp.ProblemType], "classes": {}, "enum_fields": {}, "parse": [], "dispatch": []}
for key, cls in xp.PROBLEM_CLASSES.items():
    summary["classes"][key] = {"name": cls.__name__, "fields": [[f.name, f.attr, f.kind] for f in cls._fields]}
    uri = cls.problem_type.value if cls.problem_type is not None else key
    raw = {"type": uri, "title": "t", "detail": "d"}
    for i, f in enumerate(cls._fields):
        if f.enum is not None:
            summary["enum_fields"][f.name] = [[m.value, m.name] for m in f.enum]
        if f.kind == "string":
            raw[f.name] = "probe-%d" % i
    problem = cls(raw)
    for i, f in enumerate(cls._fields):
        if f.kind == "string":
            summary["parse"].append([key, f.name, f.attr, getattr(problem, f.attr) == "probe-%d" % i])
    summary["dispatch"].append([key, type(xp.parse_problem(raw)) is cls])
print(json.dumps(summary))
"""


def probe(out: Path) -> dict[str, Any]:
    """Import the package in a fresh interpreter and describe it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-I", "-B", "-c", _PROBE, str(out)], capture_output=True, text=True, encoding="utf-8", env=env, cwd=out, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """Run every case (and every distinct benign twin) once, in parallel."""
    base = tmp_path_factory.mktemp("hostile")
    pool = _Pool(WORKERS)
    try:
        benign_out = base / "benign" / "generated"
        benign_out.parent.mkdir()
        first = pool.run(["generate", "--quiet", "--spec", str(BASE_SPEC), "--supplement", str(BASE_SUPPLEMENT), "--out", str(benign_out)], benign_out.parent)
        assert first["rc"] == 0, first["stderr"]
        benign = snapshot(benign_out)

        def run_case(case: Path) -> tuple[str, Run]:
            spec, supplement = case_inputs(case)
            cwd = base / "cases" / case.name
            cwd.mkdir(parents=True)
            out = cwd / "generated"
            shutil.copytree(benign_out, out, symlinks=True)
            before = snapshot(out)
            result = pool.run(["generate", "--spec", str(spec), "--supplement", str(supplement), "--out", str(out)], cwd)
            return case.name, Run(result["rc"], result["stderr"], result["stdout"], result["network"], out, cwd, before, snapshot(out))

        twin_jobs: dict[Path, tuple[Path, Path]] = {}
        twin_of: dict[str, Path] = {}
        for case in CASES:
            expect = expectation(case)
            if expect["outcome"] == "escape":
                inputs = twin_inputs(case, expect, base / "twins")
                if inputs is not None:
                    twin_jobs[inputs[0].parent] = inputs
                    twin_of[case.name] = inputs[0].parent

        def run_twin(folder: Path) -> tuple[Path, Run]:
            spec, supplement = twin_jobs[folder]
            out = folder / "generated"
            result = pool.run(["generate", "--quiet", "--spec", str(spec), "--supplement", str(supplement), "--out", str(out)], folder)
            return folder, Run(result["rc"], result["stderr"], result["stdout"], result["network"], out, folder)

        def run_diff(case: Path) -> tuple[str, Run]:
            spec, supplement = case_inputs(case)
            cwd = base / "diffs" / case.name
            cwd.mkdir(parents=True)
            result = pool.run(["diff", str(BASE_SPEC), str(spec), "--supplement", str(supplement)], cwd)
            return case.name, Run(result["rc"], result["stderr"], result["stdout"], result["network"], cwd, cwd)

        rejects = [c for c in CASES if expectation(c)["outcome"] == "reject"]
        with ThreadPoolExecutor(WORKERS) as ex:
            runs = dict(ex.map(run_case, CASES))
            twin_runs = dict(ex.map(run_twin, list(twin_jobs)))
            diffs = dict(ex.map(run_diff, rejects))
            generated = [name for name, run in runs.items() if run.rc == 0]
            probes = dict(zip(generated, ex.map(lambda n: probe(runs[n].out), generated), strict=True))
        yield Corpus(benign, runs, {name: twin_runs[folder] for name, folder in twin_of.items()}, probes, diffs)
    finally:
        pool.close()


def test_corpus_size_and_coverage() -> None:
    outcomes = [expectation(c)["outcome"] for c in CASES]
    assert len(CASES) >= 60
    assert {"reject", "escape", "rename"} <= set(outcomes)
    supplement_cases = [c for c in CASES if (c / "supplement.yaml").exists()]
    assert len(supplement_cases) >= 10, "the supplement goes through the same checks (bullet 7)"
    assert all(expectation(c).get("notes") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, corpus: Corpus) -> None:
    expect = expectation(case)
    run = corpus.runs[case.name]
    assert run.network == [], f"network access attempted: {run.network}"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert not (run.cwd / "xproblems-pwned").exists(), "a YAML tag executed code"
    {"reject": _check_reject, "escape": _check_escape, "rename": _check_rename}[expect["outcome"]](case, expect, run, corpus)


def _check_reject(case: Path, expect: dict[str, Any], run: Run, corpus: Corpus) -> None:
    assert run.rc == 2, f"expected exit 2, got {run.rc}: {run.stderr[-2000:]}"
    lines = run.stderr.rstrip("\n").split("\n")
    spec, supplement = case_inputs(case)
    errors = 0
    for line in lines:
        m = DIAG.fullmatch(line)
        assert m, f"not a diagnostic line: {line[:300]!r}"
        assert m["file"] in (str(spec), str(supplement)), line[:300]
        assert not re.search(r"~(?![01])", m["pointer"]), f"unescaped ~ in pointer: {m['pointer']!r}"
        assert len(line) < 2000, f"overlong diagnostic (values must be cut): {line[:200]!r}..."
        errors += m["level"] == "error"
    assert errors >= 1
    for wanted in expect["stderr_contains"]:
        assert wanted in without_positions(run.stderr), f"{wanted!r} not in stderr:\n{run.stderr[-3000:]}"
    assert run.after == run.before == corpus.benign, "a rejected run changed the existing generated/ tree"
    assert not list(run.cwd.rglob(".xproblems-stage-*"))


REJECTS = [c for c in CASES if expectation(c)["outcome"] == "reject"]


@pytest.mark.parametrize("case", REJECTS, ids=[c.name for c in REJECTS])
def test_diff_rejects_what_generate_rejects(case: Path, corpus: Corpus) -> None:
    """The weekly job diffs a freshly fetched spec: ``diff`` runs generate's checks (issue 14,
    item 8), so every rejected input is exit 2 with generate's very error lines, never exit 3."""
    run = corpus.diffs[case.name]
    assert run.network == [], f"network access attempted: {run.network}"
    assert run.rc == 2, f"expected exit 2, got {run.rc}: {run.stderr[-2000:]}"
    assert run.stdout == "", "a rejected diff printed a report"
    lines = run.stderr.rstrip("\n").split("\n")
    for line in lines:
        assert DIAG.fullmatch(line), f"not a diagnostic line: {line[:300]!r}"
    errors = {line for line in lines if line.startswith("error: ")}
    generated = {line for line in corpus.runs[case.name].stderr.split("\n") if line.startswith("error: ")}
    assert errors == generated, "diff and generate disagree about what is wrong"


def _check_generated(run: Run) -> None:
    assert run.rc == 0, f"expected success, got {run.rc}:\n{run.stderr[-3000:]}"
    assert not any(line.startswith("error:") for line in run.stderr.split("\n")), run.stderr[-3000:]
    assert not list(run.out.rglob(".xproblems-stage-*"))
    check_output_hygiene(run.out)


def _check_escape(case: Path, expect: dict[str, Any], run: Run, corpus: Corpus) -> None:
    _check_generated(run)
    trees = py_modules(run.out)
    for name, tree in trees.items():
        compile(tree, name, "exec")
    constants, docs = string_constants(trees)
    for value in expect.get("literals", []):
        assert value in constants, f"{value[:80]!r} is not an exact string literal of the generated code"
    for value in expect.get("docstrings", []):
        assert any(doc_text(value) in doc for doc in docs), f"{value[:80]!r} is not in a docstring"
    twin = corpus.twins.get(case.name)
    if twin is not None:
        assert twin.rc == 0, twin.stderr[-3000:]
        twin_trees = py_modules(twin.out)
        assert trees.keys() == twin_trees.keys()
        for name in trees:
            assert ast_shape(trees[name]) == ast_shape(twin_trees[name]), f"{name}: the AST differs from the benign twin's"
        md = (run.out / "docs" / "errors.md").read_text(encoding="utf-8")
        twin_md = (twin.out / "docs" / "errors.md").read_text(encoding="utf-8")
        assert md_shape(md) == md_shape(twin_md), "errors.md has a different line structure than the benign twin's"
    summary = corpus.probes[case.name]
    assert all(ok for *_, ok in summary["dispatch"]), summary["dispatch"]
    values = {v for v, _ in summary["problem_types"]}
    for value in expect.get("literals", []):
        if value.startswith("https://"):
            assert value in values, "a type URI did not survive the round trip into ProblemType"
    for cls, kinds in expect.get("kinds", {}).items():
        fields = next(c["fields"] for c in summary["classes"].values() if c["name"] == cls)
        assert {n: k for n, _, k in fields if n in kinds} == kinds


def _reserved_ok(attr: str) -> bool:
    return (
        names.is_identifier(attr)
        and not keyword.issoftkeyword(attr)
        and attr not in dir(builtins)
        and attr not in RESERVED_ATTRS
        and not attr.startswith("_")
    )


def _check_rename(case: Path, expect: dict[str, Any], run: Run, corpus: Corpus) -> None:
    _check_generated(run)
    summary = corpus.probes[case.name]
    public = summary["all"]
    assert len(public) == len(set(public)), "a public name is exported twice"
    for name in public:
        assert names.is_identifier(name) and name not in dir(builtins) and not keyword.issoftkeyword(name), name
    by_class = {c["name"]: c for c in summary["classes"].values()}
    for cls in summary["classes"].values():
        attrs = [attr for _, attr, _ in cls["fields"]]
        keys = [key for key, _, _ in cls["fields"]]
        assert len(set(attrs)) == len(attrs), f"{cls['name']}: two fields share an attribute: {attrs}"
        assert len(set(keys)) == len(keys)
        for attr in attrs:
            assert _reserved_ok(attr), f"{cls['name']}.{attr} is not a safe attribute name"
    assert all(ok for *_, ok in summary["parse"]), [p for p in summary["parse"] if not p[-1]]
    assert all(ok for *_, ok in summary["dispatch"]), summary["dispatch"]
    for cls_name, wanted in expect.get("fields", {}).items():
        got = {key: attr for key, attr, _ in by_class[cls_name]["fields"]}
        for key, attr in wanted.items():
            assert got.get(key) == attr, f"{cls_name}: field {key!r} became {got.get(key)!r}, expected {attr!r}"
    for uri, cls_name in expect.get("classes", {}).items():
        assert summary["classes"][names.problem_key(uri)]["name"] == cls_name
    members = {"ProblemType": dict(summary["problem_types"]), **{k: dict(v) for k, v in summary["enum_fields"].items()}}
    for group, wanted in expect.get("members", {}).items():
        got_members = members[group]
        assert len(set(got_members.values())) == len(got_members), f"{group}: two values share a member"
        for member in got_members.values():
            assert names.is_identifier(member) and not member.startswith("_"), member
        for value, member in wanted.items():
            assert got_members.get(value) == member, f"{group}: {value!r} became {got_members.get(value)!r}, expected {member!r}"


# --- bullet 3: the byte cap is checked before reading ----------------------------------------


def _cli(args: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "xproblems", *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=full_env, check=False)


def _generate(spec: Path, out: Path, *extra: str, cwd: Path = ROOT, env: dict[str, str] | None = None, supplement: Path = BASE_SUPPLEMENT) -> subprocess.CompletedProcess[str]:
    return _cli(["generate", "--quiet", "--spec", str(spec), "--supplement", str(supplement), "--out", str(out), *extra], cwd=cwd, env=env)


def test_byte_cap_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "huge.json"
    with big.open("wb") as handle:  # sparse: nothing is really written or read
        handle.truncate(MAX_BYTES + 1)
    out = tmp_path / "generated"
    proc = _generate(big, out)
    assert proc.returncode == 2
    assert f"error: {big}: /: file is {MAX_BYTES + 1} bytes, over the {MAX_BYTES}-byte cap" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_debug_shows_traceback_only_on_request(tmp_path: Path) -> None:
    """An internal error is one line without --debug; bad input never has a traceback."""
    bad = tmp_path / "spec.json"
    bad.write_text("{", encoding="utf-8")
    plain = _generate(bad, tmp_path / "out")
    debug = _cli(["--debug", "generate", "--spec", str(bad), "--supplement", str(BASE_SUPPLEMENT), "--out", str(tmp_path / "out")])
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" not in plain.stderr + debug.stderr


# --- bullet 5: output safety --------------------------------------------------------------------


@pytest.fixture(scope="module")
def benign_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("benign") / "generated"
    proc = _generate(BASE_SPEC, out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def other_spec(tmp_path: Path) -> Path:
    """The base spec with one more field: regenerating from it must write."""
    spec = json.loads(BASE_SPEC.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["BetaProblem"]["allOf"][1]["properties"]["extra"] = {"type": "string"}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def _copy(benign_out: Path, tmp_path: Path) -> Path:
    out = tmp_path / "generated"
    shutil.copytree(benign_out, out, symlinks=True)
    return out


@pytest.mark.parametrize("planted", ["x_problems/_enums.py", "x_problems", "docs/errors.md", ".xproblems.lock"])
def test_symlink_in_output_is_never_followed(planted: str, benign_out: Path, other_spec: Path, tmp_path: Path) -> None:
    out = _copy(benign_out, tmp_path)
    victim = tmp_path / "victim"
    if (out / planted).is_dir():
        shutil.copytree(out / planted, victim)
        shutil.rmtree(out / planted)
    else:
        victim.write_text("victim\n", encoding="utf-8")
        (out / planted).unlink(missing_ok=True)
    (out / planted).symlink_to(victim)
    before, victim_before = snapshot(out), snapshot(tmp_path / "victim") if victim.is_dir() else victim.read_bytes()
    proc = _generate(other_spec, out)
    assert proc.returncode == 2, proc.stderr
    assert "is a symlink inside the output directory; refusing to follow it" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(out) == before
    assert (snapshot(victim) if victim.is_dir() else victim.read_bytes()) == victim_before


def test_output_directory_symlink_refused(benign_out: Path, other_spec: Path, tmp_path: Path) -> None:
    real = _copy(benign_out, tmp_path)
    link = tmp_path / "link"
    link.symlink_to(real)
    before = snapshot(real)
    proc = _generate(other_spec, link)
    assert proc.returncode == 2 and "output directory is a symlink" in proc.stderr
    assert snapshot(real) == before


@pytest.mark.parametrize("how", ["inside", "same", "dotdot"])
def test_out_that_holds_or_aliases_the_spec_is_refused(how: str, tmp_path: Path) -> None:
    spec_dir = tmp_path / "specs"
    spec_dir.mkdir()
    spec = spec_dir / "spec.json"
    shutil.copy(BASE_SPEC, spec)
    out = {"inside": spec_dir, "same": spec, "dotdot": tmp_path / "elsewhere" / ".." / "specs"}[how]
    (tmp_path / "elsewhere").mkdir()
    before = snapshot(tmp_path)
    proc = _generate(spec, out)
    assert proc.returncode == 2, proc.stderr
    assert "refusing to overwrite it" in proc.stderr
    assert snapshot(tmp_path) == before


def test_foreign_files_are_kept_and_stale_files_only_when_unedited(benign_out: Path, other_spec: Path, tmp_path: Path) -> None:
    out = _copy(benign_out, tmp_path)
    (out / "README.txt").write_text("mine\n", encoding="utf-8")
    (out / PACKAGE / "notes.py").write_text("# mine\n", encoding="utf-8")
    manifest_path = out / PACKAGE / "_manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    stale = "x_problems/_retired_module.py"
    edited = "x_problems/_edited_module.py"
    for rel in (stale, edited):
        (out / rel).write_text("# generated once\n", encoding="utf-8")
        manifest["files"][rel] = hashlib.sha256(b"# generated once\n").hexdigest()
    (out / edited).write_text("# generated once, then edited by hand\n", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("outside\n", encoding="utf-8")
    manifest["files"]["../outside.txt"] = hashlib.sha256(b"outside\n").hexdigest()
    manifest["files"]["README.txt"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    proc = _generate(other_spec, out)
    assert proc.returncode == 0, proc.stderr
    assert not (out / stale).exists(), "an unedited stale file is removed"
    assert (out / edited).read_text(encoding="utf-8").endswith("edited by hand\n")
    assert (out / "README.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / PACKAGE / "notes.py").read_text(encoding="utf-8") == "# mine\n"
    assert outside.read_text(encoding="utf-8") == "outside\n"
    assert not list(out.rglob(".xproblems-stage-*"))


def test_advisory_lock_blocks_a_concurrent_run(benign_out: Path, other_spec: Path, tmp_path: Path) -> None:
    out = _copy(benign_out, tmp_path)
    fd = os.open(out / ".xproblems.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        before = snapshot(out)
        proc = _generate(other_spec, out)
        assert proc.returncode == 2, proc.stderr
        assert "another xproblems run holds the lock" in proc.stderr
        assert snapshot(out) == before
    finally:
        os.close(fd)
    assert _generate(other_spec, out).returncode == 0


def test_files_are_0644_lf_utf8_under_a_strict_umask(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    proc = subprocess.run(
        ["sh", "-c", 'umask 077 && exec "$0" -m xproblems generate --quiet --spec "$1" --supplement "$2" --out "$3"', sys.executable, str(BASE_SPEC), str(BASE_SUPPLEMENT), str(out)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    check_output_hygiene(out)
    for path in out.rglob("*"):
        if path.is_file() and path.name != ".xproblems.lock":
            assert b"\r" not in path.read_bytes(), path


# --- bullet 6: determinism ----------------------------------------------------------------------


def _permuted(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _permuted(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_permuted(v, rng) for v in value]
    return value


def _tree_text(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".xproblems.lock"}


def test_byte_identical_across_environments_and_key_order(tmp_path: Path) -> None:
    """PYTHONHASHSEED, locale, time zone, working directory and key order leave no trace."""
    spec = json.loads((HOSTILE / "087-names-separator-collisions" / "spec.json").read_text(encoding="utf-8"))
    extra = json.loads((HOSTILE / "086-names-case-collisions" / "spec.json").read_text(encoding="utf-8"))
    spec["components"]["schemas"]["BetaProblem"] = extra["components"]["schemas"]["AlphaProblem"]
    spec["components"]["schemas"]["BetaProblem"]["allOf"][1]["properties"]["kind"] = {"type": "string", "enum": ["b-a", "b_a", "B A"]}
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    permuted_path = tmp_path / "permuted.json"
    permuted_path.write_text(json.dumps(_permuted(spec, random.Random(6))), encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    runs = {
        "reference": (spec_path, ROOT, {"PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8", "TZ": "UTC"}),
        "hashseed-locale-tz": (spec_path, elsewhere, {"PYTHONHASHSEED": "4242", "LC_ALL": "C", "LANG": "C", "TZ": "Asia/Kathmandu"}),
        "random-seed-tr": (spec_path, elsewhere, {"PYTHONHASHSEED": "random", "LC_ALL": "tr_TR.UTF-8", "TZ": "America/St_Johns"}),
        "permuted": (permuted_path, ROOT, {"PYTHONHASHSEED": "7", "TZ": "Pacific/Chatham"}),
    }

    def go(item: tuple[str, tuple[Path, Path, dict[str, str]]]) -> tuple[str, dict[str, bytes]]:
        name, (path, cwd, env) = item
        out = tmp_path / name / "generated"
        proc = _generate(path, out, cwd=cwd, env=env)
        assert proc.returncode == 0, proc.stderr
        return name, _tree_text(out)

    with ThreadPoolExecutor(2) as ex:
        trees = dict(ex.map(go, runs.items()))
    reference = trees.pop("reference")
    manifest = f"{PACKAGE}/_manifest.json"
    for name, tree in trees.items():
        if name == "permuted":  # the spec's own digest differs; everything generated must not
            assert {k: v for k, v in tree.items() if k != manifest} == {k: v for k, v in reference.items() if k != manifest}
            assert json.loads(tree[manifest])["files"] == json.loads(reference[manifest])["files"]
        else:
            assert tree == reference, f"{name}: output differs from the reference run"


def test_black_version_and_mode_pinned_in_code_and_header(benign_out: Path) -> None:
    import black

    assert black.__version__ == BLACK_VERSION
    for path in (benign_out / PACKAGE).glob("*.py"):
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert f"black {BLACK_VERSION}, line length {BLACK_LINE_LENGTH}, py39" in first


# --- helpers used by test_properties.py -----------------------------------------------------


def corpus_strings() -> list[str]:
    """Every hostile string the corpus states (literals, docstrings, names)."""
    found: list[str] = []
    for case in CASES:
        expect = expectation(case)
        found += expect.get("literals", []) + expect.get("docstrings", [])
        for mapping in expect.get("fields", {}).values():
            found += list(mapping)
        for mapping in expect.get("members", {}).values():
            found += list(mapping)
    return sorted(set(found), key=lambda s: (len(s), s))[:200]
