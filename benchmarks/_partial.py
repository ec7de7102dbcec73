"""Child of bench.py (run by benchmarks/.venv/bin/python): partial errors, x_problems vs pydantic.

    python benchmarks/_partial.py OUT_DIR RUNS

A 200 body as X sends it when it could return some resources and not others: ``data`` plus an
``errors`` array of 100 resource-not-found problems. x_problems (standard library only) turns the
errors into typed problems with ``partial_errors``; pydantic v2 validates the same body into
equivalent models. Prints JSON: seconds per body, median of RUNS timeit repeats, for the parsed
body (a dict) and the raw bytes (JSON decoding included on both sides).
"""

from __future__ import annotations

import json
import statistics
import sys
import timeit
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import __version__ as pydantic_version


class ResourceNotFoundProblem(BaseModel):
    """X 2.167's ResourceNotFoundProblem; extra members are kept, as x_problems keeps them."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    detail: str
    status: int | None = None
    parameter: str | None = None
    resource_id: str | None = None
    resource_type: str
    value: str | None = None


class Body(BaseModel):
    data: list[dict[str, Any]] | None = None
    errors: list[ResourceNotFoundProblem] = []


def body(count: int = 100) -> dict[str, Any]:
    errors = [
        {
            "value": str(1276230436478386177 + i),
            "detail": f"Could not find tweet with id: [{1276230436478386177 + i}].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "ids",
            "resource_id": str(1276230436478386177 + i),
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
        for i in range(count)
    ]
    data = [{"id": str(20 + i), "text": f"tweet {i}", "edit_history_tweet_ids": [str(20 + i)]} for i in range(10)]
    return {"data": data, "errors": errors}


def per_call(fn: Any, runs: int, number: int = 200) -> float:
    fn()  # warm caches (pydantic's and ours) before timing
    return statistics.median(t / number for t in timeit.repeat(fn, number=number, repeat=max(runs, 5)))


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    import x_problems

    parsed = body()
    raw = json.dumps(parsed).encode()
    ours = x_problems.partial_errors(parsed)
    theirs = Body.model_validate(parsed).errors
    assert len(ours) == len(theirs) == 100
    assert type(ours[0]).__name__ == "ResourceNotFoundProblem", type(ours[0])
    assert len(x_problems.partial_errors(raw)) == 100 and len(Body.model_validate_json(raw).errors) == 100
    result = {
        "pydantic_version": pydantic_version,
        "x_problems_dict": per_call(lambda: x_problems.partial_errors(parsed), runs),
        "pydantic_dict": per_call(lambda: Body.model_validate(parsed), runs),
        "x_problems_bytes": per_call(lambda: x_problems.partial_errors(raw), runs),
        "pydantic_bytes": per_call(lambda: Body.model_validate_json(raw), runs),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
