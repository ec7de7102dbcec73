"""Diagnostics where people look (issue 15, item 3): ``line:col`` beside the JSON pointer for
every diagnostic about a file, and ``--output-format github`` workflow commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from xproblems.cli import main
from xproblems.locate import positions
from xproblems.model import Diagnostic

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"
REJECTS = sorted(c for c in HOSTILE.iterdir() if (c / "expect.json").is_file() and json.loads((c / "expect.json").read_text())["outcome"] == "reject")


def test_positions_in_json_and_yaml_and_the_nearest_ancestor_for_an_absent_member(tmp_path: Path) -> None:
    doc = tmp_path / "spec.json"
    doc.write_text('{\n  "a": {\n    "b": [1, {"c": "x"}]\n  },\n  "d~/e": true\n}\n', encoding="utf-8")
    found = positions(doc, ["/a/b/1/c", "/a/b/0", "/d~0~1e", "/a/missing/deeper"])
    assert found == {"/a/b/1/c": (3, 20), "/a/b/0": (3, 11), "/d~0~1e": (5, 11), "/a/missing/deeper": (2, 8)}
    yml = tmp_path / "spec.yaml"
    yml.write_text("a:\n  b:\n    - 1\n    - c: x\n", encoding="utf-8")
    assert positions(yml, ["/a/b/1/c"]) == {"/a/b/1/c": (4, 10)}
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert positions(tmp_path / "broken.json", ["/a"]) == {}


@pytest.mark.parametrize("case", [c for c in REJECTS if (c / "spec.json").is_file() or (c / "spec.yaml").is_file()], ids=lambda c: c.name)
def test_every_diagnostic_about_a_parseable_spec_carries_line_and_column(case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = case / "spec.json" if (case / "spec.json").is_file() else case / "spec.yaml"
    supplement = case / "supplement.yaml" if (case / "supplement.yaml").is_file() else HOSTILE / "_base" / "supplement.yaml"
    main(["generate", "--no-history", "--spec", str(spec), "--supplement", str(supplement), "--out", str(tmp_path / "out")])
    for line in capsys.readouterr().err.splitlines():
        for file in (spec, supplement):
            for level in ("error", "warning"):
                rest = line.removeprefix(f"{level}: {file}")
                # a pointer below the root: it has a place in the file (the root is the whole file)
                if rest != line and not rest.startswith(": /: "):
                    assert re.match(r"^:\d+:\d+: /", rest), line


def test_github_format_is_a_workflow_command_with_escaped_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = Diagnostic("error", "dir/a,b:c.json", "/x", "50% done\nsecond line", 3, 7)
    assert d.github() == "::error file=dir/a%2Cb%3Ac.json,line=3,col=7::/x: 50%25 done%0Asecond line"
    spec = HOSTILE / "109-mapping-as-list" / "spec.json"
    assert main(["--output-format", "github", "generate", "--no-history", "--spec", str(spec), "--out", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(re.match(r"^::error file=[^,]+,line=\d+,col=\d+::/", line) for line in lines), lines


def test_check_in_github_format_annotates_each_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = ROOT / "specs" / "x-api-v2-2.159.json"
    argv = ["--no-history", "--spec", str(spec), "--out", str(tmp_path)]
    assert main(["generate", "--quiet", *argv]) == 0
    (tmp_path / "x_problems" / "_errors.py").write_text("# edited\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--output-format", "github", *argv]) == 1
    err = capsys.readouterr().err
    assert re.search(r"^::error file=[^:]*x_problems/_errors\.py::/: differs from what", err, re.MULTILINE), err


def test_diff_in_github_format_annotates_breaking_changes_and_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "2.167", "2.134", "--output-format", "github"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("::error file=specs/x-api-v2-2.134.json::/: type-removed") or line.startswith("::error file=") for line in err), err
    assert all(line.startswith(("::error ", "::warning ")) for line in err)


def test_a_pyproject_error_is_annotated_on_its_line_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.xproblems]\nout = "x"\n  pakage = "y"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--output-format", "github"]) == 2
    assert capsys.readouterr().err == "::error file=pyproject.toml,line=3,col=3::/tool/xproblems/pakage: unknown key 'pakage'; known: out, package, spec, also, supplement, pins, no-history\n"
    assert main(["check"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'pyproject.toml'}:3:3: /tool/xproblems/pakage: unknown key")


def test_a_url_or_the_command_line_is_named_in_the_message_not_attached_as_a_file() -> None:
    from xproblems.cli_shared import _github

    assert _github(Diagnostic("error", "http://127.0.0.1:1/x.json", "", "HTTP 404 Not Found")) == "::error::http://127.0.0.1:1/x.json: /: HTTP 404 Not Found"
