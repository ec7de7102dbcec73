"""Publishing is crash-consistent: ``generate`` killed at any point leaves no mixed package.

``tests/crash_driver.py`` kills ``generate`` before each of the file-system calls publishing
makes (every step, until a run finishes), and at random moments while it publishes, both
with the atomic exchange (Linux) and with the journalled swap used where that is missing.
After every kill (several hundred in all):

* each output directory holds exactly the old files or exactly the new ones, never a mix
  (with the exchange, at once; with the journal, once ``check`` has finished the swap, and
  until then it is old, new or briefly absent, never mixed);
* the package imports;
* the next ``generate`` leaves no staging directory or journal, and the new output.

The old state holds files the generator did not write (a note in the package, a changelog in
``docs/``, ``__pycache__``): they survive every swap.
"""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from xproblems.cli import main

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "specs"
OLD_SPEC, NEW_SPEC = PINS / "x-api-v2-2.159.json", PINS / "x-api-v2-2.167.json"
PACKAGE = "x_problems"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the driver forks")]


def _old_state(tmp_path: Path) -> Path:
    base = tmp_path / "base"
    assert main(["generate", "--no-history", "--spec", str(OLD_SPEC), "--out", str(base), "--quiet"]) == 0
    (base / PACKAGE / "NOTES.txt").write_text("a file the generator never wrote\n", encoding="utf-8")
    (base / "docs" / "CHANGES.md").write_text("# a changelog kept across runs\n", encoding="utf-8")
    assert compileall.compile_dir(base / PACKAGE, quiet=1)
    assert (base / PACKAGE / "__pycache__").is_dir()
    return base


def _drive(tmp_path: Path, mode: str, random_kills: int) -> dict[str, Any]:
    base = _old_state(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    config = {"base": str(base), "work": str(work), "package": PACKAGE, "mode": mode, "seed": 14, "random": random_kills, "window": 0.03, "args": ["--no-history", "--spec", str(NEW_SPEC)]}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tests.crash_driver", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("mode", ["exchange", "journal"])
def test_generate_killed_anywhere_leaves_old_or_new_never_a_mix(tmp_path: Path, mode: str) -> None:
    report = _drive(tmp_path, mode, random_kills=15)
    results = report["results"]
    assert report["steps"] >= 40, "publishing should take many file-system steps; is the driver counting them?"
    assert len(results) >= 70
    for seen in results:
        where = f"{seen['how']} kill at {seen['point']}"
        if mode == "exchange":
            assert set(seen["units"].values()) <= {"old", "new"}, where
        else:
            assert set(seen["units"].values()) <= {"old", "new", "absent"}, where
            assert "absent" not in seen["units"].values() or seen["journal"], where
        assert seen["check"] in (0, 1), where
        assert set(seen["after_check"].values()) <= {"old", "new"}, where
        assert seen["imports"] == 0, where
        assert seen["next"] == 0, where
        assert seen["left"] == [], where
        assert set(seen["final"].values()) == {"new"}, where
    # The kills really landed on both sides of the swap.
    package_states = {seen["units"][PACKAGE] for seen in results}
    assert {"old", "new"} <= package_states
    if mode == "journal":  # some kills fell between the journal's two renames: check finished them
        assert any("absent" in seen["units"].values() for seen in results)
