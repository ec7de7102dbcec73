"""Whole-directory swaps and the recovery of what a killed run left (``xproblems.swap``).

The kill-at-every-step runs are in ``test_crash_consistency.py``; these are the recovery
cases one by one, hostile journals, and the user's environment failing (exit 2, not 3).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from xproblems.cli import main
from xproblems.swap import JOURNAL_NAME, STAGE_PREFIX, exchange, leftovers, recover, swap_in

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "x-api-v2-2.159.json"


def _tree(path: Path, marker: str) -> Path:
    path.mkdir()
    (path / "a.py").write_text(marker, encoding="utf-8")
    return path


def _journal(out: Path, name: str = "pkg", new: str = f"{STAGE_PREFIX}t-pkg", old: str = f"{STAGE_PREFIX}t-old-pkg") -> None:
    (out / JOURNAL_NAME).write_text(json.dumps({"schema": "xproblems-journal/1", "name": name, "new": new, "old": old}), encoding="ascii")


def test_exchange_swaps_two_directories_in_place(tmp_path: Path) -> None:
    _tree(tmp_path / "a", "A")
    _tree(tmp_path / "b", "B")
    if not exchange(tmp_path, "a", "b"):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    assert (tmp_path / "a" / "a.py").read_text() == "B" and (tmp_path / "b" / "a.py").read_text() == "A"


def test_swap_in_without_exchange_takes_the_journal_path_and_leaves_no_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xproblems.swap as swap

    monkeypatch.setattr(swap, "exchange", lambda *args: False)
    _tree(tmp_path / "pkg", "old")
    _tree(tmp_path / f"{STAGE_PREFIX}t-pkg", "new")
    replaced = swap_in(tmp_path, "pkg", f"{STAGE_PREFIX}t-pkg", f"{STAGE_PREFIX}t-old-pkg")
    assert (tmp_path / "pkg" / "a.py").read_text() == "new"
    assert replaced == f"{STAGE_PREFIX}t-old-pkg" and (tmp_path / replaced / "a.py").read_text() == "old"
    assert not (tmp_path / JOURNAL_NAME).exists()


def test_recover_rolls_forward_when_killed_between_the_two_renames(tmp_path: Path) -> None:
    _tree(tmp_path / f"{STAGE_PREFIX}t-pkg", "new")
    _tree(tmp_path / f"{STAGE_PREFIX}t-old-pkg", "old")
    _journal(tmp_path)
    assert leftovers(tmp_path)
    recover(tmp_path)
    assert (tmp_path / "pkg" / "a.py").read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["pkg"]


def test_recover_rolls_back_when_the_new_directory_is_gone(tmp_path: Path) -> None:
    _tree(tmp_path / f"{STAGE_PREFIX}t-old-pkg", "old")
    _journal(tmp_path)
    recover(tmp_path)
    assert (tmp_path / "pkg" / "a.py").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["pkg"]


def test_recover_keeps_a_live_directory_and_drops_the_staged_one(tmp_path: Path) -> None:
    _tree(tmp_path / "pkg", "old")  # killed after the journal, before the first rename
    _tree(tmp_path / f"{STAGE_PREFIX}t-pkg", "new")
    _journal(tmp_path)
    recover(tmp_path)
    assert (tmp_path / "pkg" / "a.py").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["pkg"]


def test_recover_removes_staging_leftovers_without_following_symlinks(tmp_path: Path) -> None:
    outside = _tree(tmp_path / "outside", "keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{STAGE_PREFIX}x").symlink_to(outside)
    _tree(out / f"{STAGE_PREFIX}y", "stale")
    (out / f".{JOURNAL_NAME}.part").write_text("{", encoding="ascii")
    recover(out)
    assert os.listdir(out) == []
    assert (outside / "a.py").read_text() == "keep me"


@pytest.mark.parametrize(
    "journal",
    [
        {"name": "../escape", "new": f"{STAGE_PREFIX}t", "old": f"{STAGE_PREFIX}u"},
        {"name": "pkg", "new": "not-a-stage", "old": f"{STAGE_PREFIX}u"},
        {"name": ".git", "new": f"{STAGE_PREFIX}t", "old": f"{STAGE_PREFIX}u"},
        {"name": "pkg", "new": f"{STAGE_PREFIX}t/../../x", "old": f"{STAGE_PREFIX}u"},
        {"name": 5, "new": f"{STAGE_PREFIX}t", "old": f"{STAGE_PREFIX}u"},
        "x" * 5000,
    ],
)
def test_check_refuses_a_journal_it_did_not_write_with_exit_2_and_moves_nothing(tmp_path: Path, journal: object, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _tree(out / f"{STAGE_PREFIX}t", "staged")
    (out / JOURNAL_NAME).write_text(json.dumps(journal), encoding="ascii")
    before = sorted(os.listdir(out))
    assert main(["check", "--no-history", "--spec", str(SPEC), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert JOURNAL_NAME in err and "journal" in err and len(err.strip().splitlines()) == 1
    assert sorted(set(os.listdir(out)) - {".xproblems.lock"}) == before


def test_a_fifo_journal_does_not_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / JOURNAL_NAME)
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out)]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_warm_generate_still_removes_a_killed_runs_staging_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]
    assert main(argv) == 0
    _tree(out / f"{STAGE_PREFIX}killed-x_problems", "half written")
    before = {p: p.stat().st_mtime_ns for p in (out / "x_problems").iterdir()}
    assert main(argv) == 0
    assert not leftovers(out)
    assert {p: p.stat().st_mtime_ns for p in (out / "x_problems").iterdir()} == before


def test_files_the_generator_did_not_write_survive_a_swap(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]) == 0
    (out / "x_problems" / "NOTES.txt").write_text("mine", encoding="utf-8")
    (out / "x_problems" / "sub").mkdir()
    (out / "x_problems" / "sub" / "deep.txt").write_text("mine too", encoding="utf-8")
    (out / "x_problems" / "link").symlink_to("NOTES.txt")
    assert main(["generate", "--no-history", "--spec", str(ROOT / "specs" / "x-api-v2-2.167.json"), "--out", str(out), "--quiet"]) == 0
    assert (out / "x_problems" / "NOTES.txt").read_text() == "mine"
    assert (out / "x_problems" / "sub" / "deep.txt").read_text() == "mine too"
    assert os.readlink(out / "x_problems" / "link") == "NOTES.txt"


def test_a_directory_where_a_generated_file_goes_is_exit_2_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]) == 0
    (out / "x_problems" / "_errors.py").unlink()
    (out / "x_problems" / "_errors.py").mkdir()
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "_errors.py" in err and "directory" in err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_a_read_only_output_directory_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]) == 0
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert main(["generate", "--no-history", "--spec", str(ROOT / "specs" / "x-api-v2-2.167.json"), "--out", str(out)]) == 2
    finally:
        out.chmod(0o755)
    assert str(out) in capsys.readouterr().err


def test_a_lock_path_that_is_a_directory_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / ".xproblems.lock").mkdir(parents=True)
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert ".xproblems.lock" in err and "internal error" not in err


@pytest.mark.parametrize("code", [28, 30])  # ENOSPC (disk full), EROFS (read-only file system)
def test_a_full_or_read_only_disk_mid_publish_is_exit_2_and_leaves_the_old_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], code: int) -> None:
    import xproblems.write as write

    out = tmp_path / "out"
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]) == 0
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []

    def failing(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code), str(path))
        real(path, text)

    real = write._write_file
    monkeypatch.setattr(write, "_write_file", failing)
    assert main(["generate", "--no-history", "--spec", str(ROOT / "specs" / "x-api-v2-2.167.json"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert os.strerror(code) in err and str(calls[-1]) in err and "internal error" not in err
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not leftovers(out)


def test_a_read_only_package_directory_is_replaced_and_stays_read_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]) == 0
    (out / "x_problems").chmod(0o555)
    assert main(["generate", "--no-history", "--spec", str(ROOT / "specs" / "x-api-v2-2.167.json"), "--out", str(out), "--quiet"]) == 0
    assert stat.S_IMODE((out / "x_problems").stat().st_mode) == 0o555
    assert not leftovers(out)
    assert main(["check", "--no-history", "--spec", str(ROOT / "specs" / "x-api-v2-2.167.json"), "--out", str(out)]) == 0
    (out / "x_problems").chmod(0o755)


def test_a_carried_directory_keeps_its_mode_and_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(out), "--quiet"]) == 0
    notes = out / "x_problems" / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("mine", encoding="utf-8")
    notes.chmod(0o555)
    try:
        assert main(["generate", "--no-history", "--spec", str(ROOT / "specs" / "x-api-v2-2.167.json"), "--out", str(out), "--quiet"]) == 0
        assert stat.S_IMODE((out / "x_problems" / "notes").stat().st_mode) == 0o555
        assert (out / "x_problems" / "notes" / "a.txt").read_text(encoding="utf-8") == "mine"
        assert not leftovers(out)
    finally:
        for directory in (out / "x_problems" / "notes", notes):
            if directory.exists():
                directory.chmod(0o755)
