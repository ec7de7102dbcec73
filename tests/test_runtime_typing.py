"""Types that narrow: checked with mypy --strict on a consumer file, and run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .runtime_support import load, package_root

# The consumer is application code of today: `match` and typing.assert_never (3.11). The
# package's own 3.9 compatibility is what the other runtime tests check on 3.9 and 3.10.
pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the consumer example needs Python 3.11 (match, assert_never)")
xp = load()
CONSUMER = Path(__file__).parent / "consumer_narrowing.py"
CAP = b'{"type": "https://api.x.com/2/problems/usage-capped", "title": "t", "detail": "d", "period": "%s"}'


def _mypy(source: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "consumer_narrowing.py"
    target.write_text(source, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(package_root())}
    command = [sys.executable, "-m", "mypy", "--strict", "--warn-unreachable", "--python-version", "3.11", "--cache-dir", str(tmp_path / ".mypy_cache"), str(target)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)


@pytest.mark.slow
def test_the_consumer_type_checks_and_a_forgotten_member_does_not(tmp_path: Path) -> None:
    source = CONSUMER.read_text(encoding="utf-8")
    good = _mypy(source, tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    forgotten = source.replace('        case xp.Period.MONTHLY:\n            return "monthly"\n', "")
    assert forgotten != source
    shutil.rmtree(tmp_path / ".mypy_cache", ignore_errors=True)
    bad = _mypy(forgotten, tmp_path)
    assert bad.returncode == 1 and 'Argument 1 to "assert_never" has incompatible type' in bad.stdout and "MONTHLY" in bad.stdout, bad.stdout


def test_the_consumer_runs() -> None:
    sys.path.insert(0, str(CONSUMER.parent))
    try:
        import consumer_narrowing as consumer
    finally:
        sys.path.pop(0)
    assert consumer.describe_period(xp.parse_problem(CAP % b"Daily")) == "daily"
    weekly = xp.parse_problem(CAP % b"Weekly")
    assert weekly.period == "Weekly" and isinstance(weekly.period, xp.UnknownValue) and repr(weekly.period) == "UnknownValue('Weekly')"
    assert consumer.describe_period(weekly) == "new period Weekly"
    assert consumer.cap_details(429, CAP % b"Daily", {"x-rate-limit-remaining": "0"}) == (429, 0)
    assert consumer.event_id(xp.classify_stream_line(b'{"data": {"id": "7"}}')) == "7"


def test_a_problem_reaches_its_response() -> None:
    error = xp.error_from_response(400, b'{"errors": [{"type": "about:blank", "title": "a"}, {"type": "about:blank", "title": "b"}]}', {"x-rate-limit-remaining": "3"})
    assert all(p.response is error and p.rate_limit.remaining == 3 for p in error.problems)
    alone = xp.parse_problem(CAP % b"Daily")
    assert alone.response is None and alone.rate_limit == xp.RateLimit()
    mixed = xp.error_from_response(429, CAP % b"Daily")
    assert isinstance(mixed, xp.UsageCapExceededProblem) and mixed.response is mixed
    import pickle

    assert pickle.loads(pickle.dumps(weekly := xp.parse_problem(CAP % b"Weekly"))).period == weekly.period
    assert isinstance(pickle.loads(pickle.dumps(weekly.period)), xp.UnknownValue)
