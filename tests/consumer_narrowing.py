"""What a ``mypy --strict`` user of the package gets (tests/test_runtime_typing.py checks it).

An exhaustive ``match`` over an open enum field, with its unknown-value case; the response a
caught problem class arrived in (its status, its rate limit); a stream event's data narrowed.
"""

from __future__ import annotations

from typing import assert_never

import x_problems as xp


def describe_period(problem: xp.UsageCapExceededProblem) -> str:
    """Every case of the field, checked for exhaustiveness by mypy."""
    period = problem.period
    match period:
        case xp.Period.DAILY:
            return "daily"
        case xp.Period.MONTHLY:
            return "monthly"
        case xp.UnknownValue():
            return f"new period {period}"
        case None:
            return "no period"
        case _:
            assert_never(period)


def cap_details(status: int, body: bytes, headers: dict[str, str]) -> tuple[int | None, int | None]:
    """The response status and the rate-limit remaining of a caught problem class."""
    try:
        xp.raise_for_response(status, body, headers)
    except xp.UsageCapExceededProblem as e:
        limit: xp.RateLimit = e.rate_limit
        response = e.response
        return (response.status if response is not None else None), limit.remaining
    return None, None


def event_id(event: xp.StreamEvent) -> str | None:
    """A stream event's data is a JSON value: narrow it before use."""
    data = event.data
    if isinstance(data, dict):
        found = data.get("id")
        return found if isinstance(found, str) else None
    return None
