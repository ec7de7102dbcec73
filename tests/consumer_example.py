"""How an application uses x_problems; must pass ``mypy --strict`` (checked by a test).

Not collected by pytest (no ``test_`` prefix); it is type-checked and imported.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Iterator

import x_problems as xp
from x_problems import (
    ClientForbiddenProblem,
    Problem,
    StreamEventKind,
    TooManyRequests,
    UsageCapExceededProblem,
    XAPIError,
)


def describe(status: int, body: bytes, headers: dict[str, str]) -> str:
    """Turn a failed response into one line for a log, by catching both ways."""
    try:
        xp.raise_for_response(status, body, headers)
    except UsageCapExceededProblem as capped:
        period = capped.period
        return f"usage cap ({period}) until {xp.retry_after(capped, 1)}"
    except ClientForbiddenProblem as forbidden:
        return f"enrol at {forbidden.registration_url} ({forbidden.reason})"
    except TooManyRequests as limited:
        reset: datetime.datetime | None = limited.rate_limit.reset
        kind: xp.LimitKind | None = limited.limit_kind
        return f"rate limited ({kind}); window resets at {reset}"
    except XAPIError as error:
        first: Problem | None = error.problem
        title = first.title if first is not None else None
        return f"{error.status}: {title or error.body.text}"
    return "ok"


def missing_ids(body: bytes) -> list[str]:
    """The ids a partial 200 response could not return."""
    ids: list[str] = []
    for problem in xp.partial_errors(body):
        if isinstance(problem, xp.ResourceNotFoundProblem) and problem.value is not None:
            ids.append(problem.value)
    return ids


def consume(lines: Iterable[bytes]) -> Iterator[object]:
    """Yield the ``data`` of a stream; stop on a disconnect."""
    for line in lines:
        event = xp.classify_stream_line(line)
        if event.kind is StreamEventKind.DISCONNECT:
            problem = event.disconnect
            delay = xp.retry_after(problem, 1) if problem is not None else None
            seconds = delay.total_seconds() if delay is not None else 0.0
            print(f"reconnect in {seconds}s: {event.disconnect_type}")
            return
        if event.kind in (StreamEventKind.DATA, StreamEventKind.DATA_WITH_ERRORS):
            yield event.data
        for problem in event.problems:
            print(problem.slug, problem.issues)


def with_retries(fetch: Iterable[tuple[int, bytes, dict[str, str]]]) -> bytes | None:
    """Retry as X advises; give up on errors that retrying cannot fix."""
    for attempt, (status, body, headers) in enumerate(fetch, start=1):
        if 200 <= status < 300:
            return body
        error = xp.error_from_response(status, body, headers)
        wait = xp.retry_after(error, attempt)
        if wait is None:
            raise error
        time.sleep(min(wait.total_seconds(), 0.0))
    return None


def serialise(error: XAPIError) -> XAPIError:
    """Errors survive a trip through JSON-compatible dicts."""
    data: dict[str, object] = error.to_dict()
    return XAPIError.from_dict(data)
