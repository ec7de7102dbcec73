"""The pinned spec history: pruned copies, pins.json, one source of defaults, ``pin`` and ``diff``."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from xproblems.history import PINS_FILE, SOURCE_KEY, canonical_json, load_history, pins_text, verify
from xproblems.pin import pruned_copy
from xproblems.request import Request, make_request
from xproblems.resources import checkout_root, default_supplement, specs_dir
from xproblems.spec import validate

from .conftest import ROOT, SPECS, run_cli, run_python, spec_path, without_positions

PINS = ROOT / "specs"
PINNED = ("2.134", "2.152", "2.159", "2.167")


def _history_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed history."""
    target = tmp_path / "pins"
    shutil.copytree(PINS, target, ignore=shutil.ignore_patterns("supplement.yaml", "__init__.py", ".*", "__pycache__"))
    return target


def test_the_package_data_is_the_checkout_s_specs_and_templates() -> None:
    assert specs_dir() == PINS and default_supplement() == PINS / "supplement.yaml"
    assert checkout_root() == ROOT


def test_pins_are_canonical_small_valid_and_match_their_files() -> None:
    history, diags = load_history(PINS)
    assert history is not None and not diags
    assert [p.version for p in history.pins] == list(PINNED) and history.current.version == "2.167"
    assert verify(history) == []
    assert (PINS / PINS_FILE).read_text(encoding="utf-8") == pins_text(history.pins)
    for pin in history.pins:
        text = history.path(pin).read_text(encoding="utf-8")
        doc = json.loads(text)
        assert text == canonical_json(doc), f"{pin.file} is not canonical JSON"
        assert len(text.encode()) < 32_000, f"{pin.file} is not pruned"
        assert set(doc) == {"openapi", "info", "paths", "components", SOURCE_KEY}
        assert set(doc["info"]) == {"title", "version"} and doc["info"]["version"] == pin.version
        assert validate(doc, pin.file) == []


@pytest.mark.parametrize("version", PINNED)
def test_each_pin_records_the_full_spec_it_came_from(version: str) -> None:
    full = spec_path(version)
    if not full.is_file():
        pytest.skip("../shared/specs not present")
    import hashlib

    source = json.loads((PINS / f"x-api-v2-{version}.json").read_text())[SOURCE_KEY]
    assert source == {"sha256": hashlib.sha256(full.read_bytes()).hexdigest(), "bytes": full.stat().st_size}


def _all_shared_specs() -> list[Any]:
    """Every shared spec, JSON and YAML (the early v2 and Labs specs, read as YAML 1.2)."""
    found = sorted(SPECS.glob("*")) if SPECS.is_dir() else []
    return [pytest.param(p, id=p.name) for p in found]


@pytest.mark.parametrize("spec", _all_shared_specs())
def test_pruning_keeps_exactly_the_catalogue(spec: Path) -> None:
    """``pruned_copy`` raises when extraction from the copy differs from the full spec's."""
    made, diags = pruned_copy(spec)
    assert made is not None, [d.render() for d in diags]
    text, pruned = made
    pinned = PINS / f"x-api-v2-{pruned.version}.json"
    if pinned.is_file():
        assert text == pinned.read_text(encoding="utf-8")


def test_pruning_follows_refs_of_every_shape() -> None:
    """Mapping targets, nested $refs, refs into other component kinds and allOf parents are kept."""
    doc: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "9.1", "description": "dropped"},
        "paths": {
            "/s": {"get": {"x-twitter-streaming": True, "responses": {"200": {"$ref": "#/components/responses/Big"}}}},
            "/n": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "responses": {"Big": {"description": "big", "content": {}}},
            "schemas": {
                "Problem": {"type": "object", "properties": {"type": {"type": "string"}, "title": {"type": "string"}}, "discriminator": {"propertyName": "type", "mapping": {"https://api.x.com/2/problems/a": "A"}}},
                "A": {"allOf": [{"$ref": "#/components/schemas/Problem"}, {"properties": {"who": {"$ref": "#/components/schemas/Who"}}}]},
                "Who": {"type": "object", "properties": {"kind": {"$ref": "#/components/schemas/Kind"}}},
                "Kind": {"type": "string", "enum": ["x", "y"]},
                "Unrelated": {"type": "string"},
            },
        },
    }
    from xproblems.extract import extract
    from xproblems.history import PRUNED_RESPONSE, prune

    cat, diags = extract(copy.deepcopy(doc), "t.json", "0" * 64)
    assert cat is not None, diags
    pruned = prune(doc, cat, sha256="0" * 64, size=1, url="https://example.test/spec.json")
    assert sorted(pruned["components"]["schemas"]) == ["A", "Kind", "Problem", "Who"]
    assert "responses" not in pruned["components"]
    assert pruned["paths"] == {"/s": {"get": {"responses": {"default": {"description": PRUNED_RESPONSE}}, "x-twitter-streaming": True}}}
    assert pruned["info"] == {"title": "t", "version": "9.1"}
    assert pruned[SOURCE_KEY] == {"sha256": "0" * 64, "bytes": 1, "url": "https://example.test/spec.json"}
    again, _ = extract(pruned, "t.json", "0" * 64)
    assert again == cat


def test_bare_request_takes_every_default_from_the_pins(tmp_path: Path) -> None:
    req = make_request(spec=None, also=(), supplement=None, out=None, package="x_problems", pins=None, no_history=False)
    assert isinstance(req, Request)
    assert req.spec == PINS / "x-api-v2-2.167.json" and req.out == ROOT / "generated"
    assert req.history is not None and [p.version for p in req.history.older_than("2.167")] == list(PINNED[:-1])
    assert req.supplement == PINS / "supplement.yaml"
    alone = make_request(spec=None, also=(), supplement=None, out=tmp_path, package="x_problems", pins=None, no_history=True)
    assert isinstance(alone, Request) and alone.history is None and alone.spec == req.spec


@pytest.mark.slow  # several CLI subprocesses
@pytest.mark.parametrize("how", ["deleted", "edited"])
def test_a_missing_or_edited_pin_is_an_error_naming_it(tmp_path: Path, how: str) -> None:
    pins = _history_copy(tmp_path)
    victim = pins / "x-api-v2-2.152.json"
    if how == "deleted":
        victim.unlink()
    else:
        victim.write_text(victim.read_text().replace('"2.152"', '"2.152"', 1) + " ")
    for args in (["generate", "--out", tmp_path / "out"], ["check", "--out", tmp_path / "out"], ["diff", "2.159", "2.167"], ["generate", "--spec", spec_path("2.167"), "--out", tmp_path / "out"]):
        done = run_cli(*args, "--pins", pins)
        assert done.returncode == 2, (args, done.stderr)
        assert str(victim) in done.stderr and ("missing" if how == "deleted" else "does not match its digest") in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # several CLI subprocesses
@pytest.mark.parametrize("version", PINNED)
def test_diff_of_a_pinned_version_with_itself_reports_nothing(version: str) -> None:
    for fmt, empty in (("text", "no changes\n"), ("json", None)):
        done = run_cli("diff", version, version, "--format", fmt, "--fail-on", "change")
        assert done.returncode == 0, done.stderr
        if empty:
            assert done.stdout == empty
        else:
            assert json.loads(done.stdout)["changes"] == []


def test_diff_between_pins_is_what_make_generate_produces() -> None:
    """Both sides get their history: the 17 breaking changes of the bare specs are gone."""
    done = run_cli("diff", "2.159", "2.167", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["breaking"] == 0
    kinds = {(c["kind"], c["key"]) for c in report["changes"]}
    assert {("type-retired", "conflict"), ("type-retired", "noncompliant-rules")} <= kinds
    assert ("type-added", "field-unauthorized") in kinds
    bare = json.loads(run_cli("diff", "2.159", "2.167", "--format", "json", "--no-history").stdout)
    assert bare["summary"]["breaking"] == 17


def test_an_unknown_diff_operand_names_the_pinned_versions() -> None:
    done = run_cli("diff", "2.999", "2.167")
    assert done.returncode == 2
    assert "error: 2.999: /: neither a pinned version (2.134, 2.152, 2.159, 2.167) nor a spec file" in done.stderr


def test_pinning_the_current_spec_again_is_a_no_op(tmp_path: Path) -> None:
    if not spec_path("2.167").is_file():
        pytest.skip("../shared/specs not present")
    pins = _history_copy(tmp_path)
    before = {p.name: p.read_bytes() for p in pins.iterdir() if p.is_file()}
    report = tmp_path / "report.md"
    done = run_cli("pin", spec_path("2.167"), "--pins", pins, "--report", report, "--changelog", tmp_path / "CHANGES.md")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "no change: the problem catalogue of 2.167 is the pinned 2.167's\n"
    assert {p.name: p.read_bytes() for p in pins.iterdir() if p.is_file() and p.name != ".xproblems.lock"} == before
    assert report.read_text() == done.stdout and not (tmp_path / "CHANGES.md").exists()


def test_pinning_an_older_version_is_refused(tmp_path: Path) -> None:
    if not spec_path("2.152").is_file():
        pytest.skip("../shared/specs not present")
    pins = _history_copy(tmp_path)
    done = run_cli("pin", spec_path("2.152"), "--pins", pins)
    assert done.returncode == 2
    assert "/info/version: version 2.152 is older than the current pin 2.167; refusing to go back" in done.stderr


def newer_spec(tmp_path: Path, version: str = "2.168") -> Path:
    """2.167 as published plus one new problem type, ``quota-exhausted``, as version ``version``."""
    doc = json.loads(spec_path("2.167").read_text())
    doc["info"]["version"] = version
    schemas = doc["components"]["schemas"]
    uri = "https://api.x.com/2/problems/quota-exhausted"
    schemas["QuotaExhaustedProblem"] = {
        "type": "object",
        "description": "The account's quota is exhausted.",
        "required": ["type", "title", "detail"],
        "properties": {
            "type": {"type": "string", "enum": [uri]},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "quota": {"type": "string", "enum": ["Monthly", "Daily"]},
        },
    }
    schemas["Problem"]["oneOf"].append({"$ref": "#/components/schemas/QuotaExhaustedProblem"})
    schemas["Problem"]["discriminator"]["mapping"][uri] = "#/components/schemas/QuotaExhaustedProblem"
    path = tmp_path / "latest-spec.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


PUBLIC_NAMES = "import json, sys, {pkg} as xp; print(json.dumps(sorted([n for n in xp.__all__] + [f'{{c}}.{{f.attr}}' for c in xp.PROBLEM_CLASSES.values() for f in c._fields] + [f'{{e}}.{{m}}' for e in xp.__all__ if isinstance(getattr(xp, e), type) and issubclass(getattr(xp, e), __import__('enum').Enum) for m in getattr(xp, e).__members__])))"


def public_names(out: Path, package: str = "x_problems") -> set[str]:
    """Every exported name, problem attribute and enum member of a generated package."""
    done = run_python(PUBLIC_NAMES.format(pkg=package), out)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


@pytest.mark.slow  # several CLI subprocesses
def test_pinning_a_newer_spec_records_reports_and_keeps_the_history(tmp_path: Path) -> None:
    if not spec_path("2.167").is_file():
        pytest.skip("../shared/specs not present")
    pins = _history_copy(tmp_path)
    spec = newer_spec(tmp_path)
    report, log = tmp_path / "report.md", tmp_path / "CHANGES.md"
    done = run_cli("pin", spec, "--pins", pins, "--url", "http://127.0.0.1:1/spec.json", "--report", report, "--changelog", log)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pinned 2.168 (was 2.167)\n")
    assert "type-added: new problem type QuotaExhaustedProblem" in done.stdout and "0 breaking" in done.stdout
    assert "`quota-exhausted`" in report.read_text() and report.read_text() in log.read_text()
    history, _ = load_history(pins)
    assert history is not None and history.current.version == "2.168" and verify(history) == []
    pruned = json.loads((pins / "x-api-v2-2.168.json").read_text())
    assert pruned[SOURCE_KEY]["url"] == "http://127.0.0.1:1/spec.json"
    assert "QuotaExhaustedProblem" in pruned["components"]["schemas"]
    # The new history generates a package with everything the committed one has, plus the type.
    out = tmp_path / "out"
    assert run_cli("generate", "--pins", pins, "--out", out, "--quiet").returncode == 0
    before = public_names(ROOT / "generated")
    after = public_names(out)
    assert before <= after, sorted(before - after)
    assert {"QuotaExhaustedProblem", "Quota", "ProblemType.QUOTA_EXHAUSTED", "Quota.MONTHLY"} <= after - before
    # Pinning the same version again changes nothing.
    snapshot = {p.name: p.read_bytes() for p in pins.iterdir()}
    again = run_cli("pin", spec, "--pins", pins, "--changelog", log)
    assert again.returncode == 0 and again.stdout.startswith("no change")
    assert {p.name: p.read_bytes() for p in pins.iterdir()} == snapshot


def test_also_specs_are_validated_even_when_the_spec_is_pinned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pinned spec skips openapi-pydantic (held to its digest); an --also spec does not."""
    from xproblems.cli import main

    from .conftest import oneof_shape, openapi

    doc = openapi(oneof_shape({"UsageCappedProblem": ("usage-capped", {})}), version="1.0")
    doc["paths"] = {"/x": {"get": {"responses": "not a responses object"}}}
    also = tmp_path / "also.json"
    also.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["generate", "--also", str(also), "--out", str(tmp_path / "out")]) == 2
    assert f"{also}: /paths/~1x/get/responses" in without_positions(capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def test_an_environment_failure_is_exit_2_with_the_path_not_an_internal_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory where the lock file goes: the user's environment, not a bug (exit 3)."""
    from xproblems.cli import main

    out = tmp_path / "out"
    (out / ".xproblems.lock").mkdir(parents=True)
    assert main(["generate", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out / '.xproblems.lock'}: /: cannot write: Is a directory" in err and "internal" not in err


@pytest.mark.slow  # four CLI subprocesses
def test_a_hostile_manifest_cannot_hang_or_exhaust_check_and_generate(tmp_path: Path) -> None:
    """Manifest entries naming /dev/zero, a FIFO, a path outside --out or a huge file are
    never read: check reports the tree stale and generate rewrites it, promptly."""
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    run = [sys.executable, "-m", "xproblems"]
    assert subprocess.run([*run, "generate", "--out", str(out)], capture_output=True, timeout=120, env=env).returncode == 0
    manifest_path = out / "x_problems" / "_manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    os.mkfifo(out / "x_problems" / "fifo")
    (out / "big").write_bytes(b"\0" * (17 * 1024 * 1024))
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours", encoding="utf-8")
    manifest["files"].update({"/dev/zero": "0" * 64, "x_problems/fifo": "0" * 64, "../outside.txt": "0" * 64, "big": "0" * 64})
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    check = subprocess.run([*run, "check", "--out", str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert check.returncode == 1, check.stderr  # stale (the manifest differs), not hung
    generate = subprocess.run([*run, "generate", "--out", str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert generate.returncode == 0, generate.stderr
    assert outside.read_text(encoding="utf-8") == "not yours" and (out / "x_problems" / "fifo").exists() and (out / "big").exists()
    assert subprocess.run([*run, "check", "--out", str(out)], capture_output=True, timeout=120, env=env).returncode == 0


@pytest.mark.parametrize("digit", ["²", "١", "9" * 5000])
def test_non_ascii_and_huge_digits_are_input_errors_not_crashes(digit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"²".isdigit() is true but int("²") fails: a $ref or version holding one crashed (exit 3)."""
    from xproblems.cli import main

    from .conftest import oneof_shape, openapi

    doc = openapi(oneof_shape({"UsageCappedProblem": ("usage-capped", {})}), version=f"1.{digit}")
    doc["components"]["schemas"]["Problem"]["oneOf"].append({"$ref": f"#/components/schemas/Problem/oneOf/{digit}"})
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out")]) == 2
    assert main(["diff", str(spec), str(spec)]) == 2
    err = capsys.readouterr().err
    assert "internal" not in err and "/components/schemas/Problem/oneOf/1" in err


@pytest.mark.parametrize("package", ["json", "enum", "typing", "sys"])
def test_a_package_named_like_a_standard_module_is_refused(package: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--package json would shadow the standard library; --package enum could not import."""
    from xproblems.cli import main

    assert main(["generate", "--package", package, "--out", str(tmp_path / "out")]) == 2
    assert f"--package {package!r} is the name of a standard-library module" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
