"""The CLI's rough edges (issue 15, item 5): flags in either position, --also beside
positionals, messages that say what is wrong, and a --help that says how to use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from xproblems.cli import main, parser

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "x-api-v2-2.159.json"
COMMANDS = ("generate", "check", "diff", "fetch", "pin")


@pytest.mark.parametrize("argv", [["--debug", "check"], ["check", "--debug"]])
def test_debug_works_before_and_after_the_subcommand(argv: list[str]) -> None:
    assert parser().parse_args(argv).debug is True


def test_debug_defaults_to_off_and_a_sub_parser_never_resets_it() -> None:
    assert parser().parse_args(["check"]).debug is False
    assert parser().parse_args(["--debug", "diff", "2.159", "2.167"]).debug is True


def test_also_before_the_positionals_of_diff_takes_one_value() -> None:
    args = parser().parse_args(["diff", "--also", "a.json", "2.159", "2.167"])
    assert (args.old, args.new, [str(p) for p in args.also]) == ("2.159", "2.167", ["a.json"])
    args = parser().parse_args(["generate", "--also", "a.json", "--also", "b.json"])
    assert [str(p) for p in args.also] == ["a.json", "b.json"]


def test_a_directory_given_as_spec_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--spec", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "no such file" not in err
    assert main(["diff", str(tmp_path), "2.167"]) == 2
    assert "is a directory" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["class", "None", "import"])
def test_a_keyword_package_name_is_called_a_keyword(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--spec", str(SPEC), "--out", str(tmp_path), "--package", name]) == 2
    assert f"--package {name!r} is a Python keyword" in capsys.readouterr().err


def test_a_soft_keyword_is_a_fine_package_name(tmp_path: Path) -> None:
    assert main(["generate", "--no-history", "--spec", str(SPEC), "--out", str(tmp_path), "--package", "match", "--quiet"]) == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_each_subcommand_help_has_a_description_exit_codes_and_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    usage, _, rest = text.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert usage.startswith(f"usage: xproblems {command}") and len(description.split()) >= 15, text
    codes = text.split("exit codes:\n", 1)[1].split("\n\n")[0]
    assert [line.split()[0] for line in codes.splitlines()][:1] == ["0"] and "2" in codes and "3" in codes
    examples = text.split("examples:\n", 1)[1]
    assert f"xproblems {command}" in examples
    assert "--debug" in text
