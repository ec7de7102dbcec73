"""Kill ``generate`` while it publishes, again and again, and report what an importer saw.

``tests/test_crash_consistency.py`` runs ``python -m tests.crash_driver CONFIG.json`` and
asserts on the JSON it prints. The driver imports the generator once and forks one child per
kill, so a few hundred kills take about a minute:

* ``step`` kills: the child counts every file-system call ``publish`` makes (mkdir, link,
  fsync, chmod, rename, exchange, unlink, rmdir, copy) and SIGKILLs itself just before call
  *k*; k runs from 1 until a run finishes unkilled, so every step is a kill point.
* ``random`` kills: the child SIGKILLs itself after a random delay once ``publish`` starts.

After each kill the driver records what is on disk (each output directory's files hash to the
old set, the new set, or neither), whether the package imports in a fresh child, what a
``check`` (which finishes a journalled swap) leaves, and what the next ``generate`` leaves.
In ``journal`` mode the atomic exchange is disabled, so the journalled swap runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Everything ``publish`` does to the file system goes through one of these.
FS_CALLS = ("mkdir", "link", "symlink", "fsync", "chmod", "rename", "replace", "unlink", "rmdir", "open")


def digests(directory: Path) -> dict[str, str]:
    """sha256 of every file below ``directory`` (``__pycache__`` aside)."""
    if not directory.is_dir():
        return {}
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def classify(directory: Path, old: dict[str, str], new: dict[str, str]) -> str:
    """``old``, ``new``, ``absent`` or ``mixed``."""
    if not directory.exists():
        return "absent"
    found = digests(directory)
    return "old" if found == old else "new" if found == new else "mixed"


def in_child(body: Callable[[], int]) -> int:
    """Run ``body`` in a forked child; its exit code, or ``-signal`` when killed."""
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            # The driver's stdout carries its JSON report; check's diffs and notes go nowhere.
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            code = body()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _arm(on_publish: Callable[[], None], journal: bool) -> None:
    """Patch the child: ``on_publish`` runs when ``publish`` starts; no exchange in journal mode."""
    import xproblems.swap as swap
    import xproblems.write as write

    real_publish = write.publish

    def publish(*args: Any, **kwargs: Any) -> Any:
        on_publish()
        return real_publish(*args, **kwargs)

    write.publish = publish  # type: ignore[assignment]
    if journal:
        swap.exchange = lambda *args: False  # type: ignore[assignment]


def _count_fs_calls(k: int) -> Callable[[], None]:
    """Return an arming function that makes the k-th file-system call kill the process."""
    import xproblems.swap as swap

    count = [0]
    armed = [False]

    def hit() -> None:
        if armed[0]:
            count[0] += 1
            if count[0] == k:
                _kill_self()

    def wrap(owner: Any, name: str) -> None:
        real = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            hit()
            return real(*args, **kwargs)

        setattr(owner, name, counted)

    for name in FS_CALLS:
        wrap(os, name)
    wrap(shutil, "copy2")
    wrap(swap, "exchange")

    def arm() -> None:
        armed[0] = True

    return arm


def main() -> int:
    """Run the kills the config asks for; print the observations as JSON."""
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    base, work, package = Path(config["base"]), Path(config["work"]), config["package"]
    journal = config["mode"] == "journal"
    from xproblems.cli import main as cli

    def argv(command: str, out: Path) -> list[str]:
        return [command, *config["args"], "--out", str(out), *(["--quiet"] if command == "generate" else [])]

    reference = work / "reference"
    shutil.copytree(base, reference, symlinks=True)
    assert cli(argv("generate", reference)) == 0  # warms every cache the children inherit
    units = sorted(p.name for p in base.iterdir() if p.is_dir())
    old = {unit: digests(base / unit) for unit in units}
    new = {unit: digests(reference / unit) for unit in units}

    def observe(out: Path, how: str, point: float) -> dict[str, Any]:
        seen: dict[str, Any] = {"how": how, "point": point, "units": {u: classify(out / u, old[u], new[u]) for u in units}}
        seen["journal"] = (out / ".xproblems-journal.json").exists()
        seen["check"] = in_child(lambda: cli(argv("check", out)))
        seen["after_check"] = {u: classify(out / u, old[u], new[u]) for u in units}
        seen["imports"] = in_child(lambda: _imports(out, package))
        seen["next"] = in_child(lambda: cli(argv("generate", out)))
        seen["left"] = sorted(p.name for p in out.iterdir() if p.name.startswith(".xproblems-") and p.name != ".xproblems.lock")
        seen["final"] = {u: classify(out / u, old[u], new[u]) for u in units}
        return seen

    results = []
    steps = 0
    for k in range(1, 10_000):
        out = _fresh(base, work / f"step-{k}")

        def killed_at_step(k: int = k, out: Path = out) -> int:
            _arm(_count_fs_calls(k), journal)
            return cli(argv("generate", out))

        if in_child(killed_at_step) == 0:
            steps = k - 1
            break
        results.append(observe(out, "step", k))
    rng = random.Random(config["seed"])
    for n in range(config["random"]):
        out = _fresh(base, work / f"random-{n}")
        delay = rng.uniform(0, config["window"])

        def killed_later(delay: float = delay, out: Path = out) -> int:
            _arm(lambda: threading.Timer(delay, _kill_self).start(), journal)
            return cli(argv("generate", out))

        in_child(killed_later)
        results.append(observe(out, "random", delay))
    print(json.dumps({"steps": steps, "results": results}))
    return 0


def _fresh(base: Path, out: Path) -> Path:
    shutil.copytree(base, out, symlinks=True)
    return out


def _imports(out: Path, package: str) -> int:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(out))
    import importlib

    module = importlib.import_module(package)
    return 0 if hasattr(module, "error_from_response") else 1


if __name__ == "__main__":
    sys.exit(main())
