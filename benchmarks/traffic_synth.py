"""Deterministic synthetic recorded X API traffic (JSON Lines) for the audit benchmark.

Standard library only. ``write(path, megabytes, seed)`` streams records to ``path`` until it
holds ``megabytes`` MB (1 MB = 10**6 bytes; the last record overshoots by at most one line,
a few kB), in the JSON Lines format ``xproblems audit`` reads (generator/traffic.py). Nothing
is built in memory beyond one record and a small pool of tweets and users.

The mix, by lines (and by bytes), is close to what a client of X's API v2 records (shapes
from ../shared/payloads); measured on the first 100 MB of seed 16:

* 67 % (84 % of bytes) 200 responses with data bodies: tweet and user lookups, timelines,
  search pages (``data``, ``includes``, ``meta``), 3.6 kB a line on average;
* 7 % (11 %) partial-error 200s: ``data`` plus ``errors`` of resource-not-found,
  not-authorized-for-resource and not-authorized-for-field, or ``errors`` alone;
* 9 % (2 %) 4xx problem bodies of known types: invalid-request with its ``errors`` array,
  about:blank 401, client-forbidden, usage-capped, streaming-connection, duplicate-rules,
  resource-not-found 404; now and then a member (``request_id``) or an enum value
  (``period: Hourly``) the catalogue lacks;
* 0.5 % problem bodies of five types the catalogue does not have;
* 2 % non-problem bodies (``body_text``): HTML 503 and 404 pages, empty 500/502/504, text 429,
  a proxy's text with no status;
* 14 % lines of recorded filtered streams: data frames (10 %), keep-alive heartbeats (empty
  lines, 3.5 %) and operational-disconnect error frames (0.4 %).

Every response carries realistic headers (content type, date, x-rate-limit-*, sometimes
x-app-limit-24hour-* / x-user-limit-24hour-*, x-access-level, a set-cookie that audit drops).

    python benchmarks/traffic_synth.py --megabytes 1000 --out /tmp/traffic.jsonl [--seed 16]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

MB = 1_000_000
PROBLEMS = "https://api.twitter.com/2/problems/"
X_PROBLEMS = "https://api.x.com/2/problems/"
_TEXT = (
    "the a api design new timeline lists follow tweet real time conversation people voices stream rule "
    "filtered search recent developer platform update release thread reply quote like bookmark space "
    "community note media poll place hashtag mention link today tomorrow launch event live video photo"
)
_WORDS = tuple(_TEXT.split())
_EPOCH = 1_780_000_000  # 2026-05-28: recorded times advance from here
_ROUTES = (
    ("GET", "https://api.x.com/2/tweets?ids={ids}&tweet.fields=created_at,public_metrics&expansions=author_id", "tweets"),
    ("GET", "https://api.x.com/2/tweets/{id}?tweet.fields=created_at,entities", "tweet"),
    ("GET", "https://api.x.com/2/users/{id}/tweets?max_results=20&pagination_token={token}", "tweets"),
    ("GET", "https://api.x.com/2/tweets/search/recent?query=api%20design&max_results=25", "tweets"),
    ("GET", "https://api.x.com/2/users/by?usernames=xdevelopers,xapi", "users"),
    ("GET", "https://api.x.com/2/users/{id}/followers?max_results=50", "users"),
)


class Synth:
    """One seeded generator of records; ``line()`` returns the next JSON Lines line (bytes)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = _EPOCH
        self.users = [self._user(i) for i in range(300)]
        self.tweets = [self._tweet(i) for i in range(2000)]
        self.stream_left = 0
        kinds: list[tuple[float, Callable[[], list[dict[str, Any] | None]]]] = [
            (0.745, self.success),
            (0.080, self.partial),
            (0.100, self.problem),
            (0.006, self.unknown),
            (0.022, self.not_problem),
            (0.025, self.stream_start),
        ]
        total = sum(w for w, _ in kinds)
        self.kinds = [(w / total, k) for w, k in kinds]

    # --- pools ------------------------------------------------------------------------

    def _id(self) -> str:
        return str(self.rng.randrange(1_250_000_000_000_000_000, 1_990_000_000_000_000_000))

    def _text(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(low, high)))

    def _user(self, i: int) -> dict[str, Any]:
        name = f"user{i}_{self.rng.choice(_WORDS)}"
        return {
            "id": self._id(),
            "name": name.replace("_", " ").title(),
            "username": name,
            "created_at": self._iso(_EPOCH - self.rng.randrange(10**8)),
            "description": self._text(3, 25),
            "public_metrics": {k: self.rng.randrange(10**5) for k in ("followers_count", "following_count", "tweet_count", "listed_count")},
            "verified": self.rng.random() < 0.1,
        }

    def _tweet(self, i: int) -> dict[str, Any]:
        tid = self._id()
        tweet: dict[str, Any] = {
            "id": tid,
            "text": self._text(4, 45) + (" https://t.co/" + f"{i:010x}" if i % 3 == 0 else ""),
            "edit_history_tweet_ids": [tid],
            "author_id": self.users[i % len(self.users)]["id"],
            "created_at": self._iso(_EPOCH - self.rng.randrange(10**7)),
            "lang": self.rng.choice(("en", "en", "en", "ja", "es", "pt", "und")),
            "public_metrics": {k: self.rng.randrange(2000) for k in ("retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count")},
        }
        if i % 4 == 0:
            tweet["entities"] = {
                "hashtags": [{"start": 3, "end": 14, "tag": self.rng.choice(_WORDS)}],
                "urls": [{"start": 20, "end": 43, "url": f"https://t.co/{i:010x}", "expanded_url": f"https://example.com/{self.rng.choice(_WORDS)}/{i}", "display_url": f"example.com/{i}"}],
            }
        if i % 7 == 0:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": self._id()}]
        return tweet

    @staticmethod
    def _iso(t: int) -> str:
        import time

        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))

    # --- envelopes --------------------------------------------------------------------

    def _headers(self, status: int, content_type: str = "application/json; charset=utf-8") -> dict[str, str]:
        import email.utils

        headers = {
            "content-type": content_type,
            "date": email.utils.formatdate(self.clock, usegmt=True),
            "x-access-level": self.rng.choice(("read", "read-write", "read-write-directmessages")),
            "x-rate-limit-limit": "900",
            "x-rate-limit-remaining": str(0 if status == 429 else self.rng.randrange(900)),
            "x-rate-limit-reset": str(self.clock + self.rng.randrange(900)),
            "x-response-time": str(self.rng.randrange(20, 400)),
            "x-transaction-id": f"{self.rng.getrandbits(64):016x}",
        }
        if self.rng.random() < 0.15:
            headers["x-app-limit-24hour-limit"] = "10000"
            headers["x-app-limit-24hour-remaining"] = str(self.rng.randrange(10000))
            headers["x-app-limit-24hour-reset"] = str(self.clock + 86400)
        if self.rng.random() < 0.05:
            headers["x-user-limit-24hour-limit"] = "100"
            headers["x-user-limit-24hour-remaining"] = str(self.rng.randrange(100))
            headers["x-user-limit-24hour-reset"] = str(self.clock + 86400)
        if self.rng.random() < 0.1:
            headers["set-cookie"] = f"guest_id=v1%3A{self.rng.getrandbits(60)}; Max-Age=34214400; Domain=.x.com; Secure"
        if status == 429:
            headers["retry-after"] = str(self.rng.randrange(1, 900))
        return headers

    def _response(self, status: int | None, body: Any = None, text: str | None = None, content_type: str | None = None) -> dict[str, Any]:
        method, url, _ = self.rng.choice(_ROUTES)
        url = url.format(id=self._id(), ids=",".join(self._id() for _ in range(3)), token=f"{self.rng.getrandbits(48):x}")
        ctype = content_type or ("application/problem+json" if status is not None and status >= 400 else "application/json; charset=utf-8")
        record: dict[str, Any] = {"status": status, "headers": self._headers(status or 200, ctype)}
        if text is None:
            record["body"] = body
        else:
            record["body_text"] = text
        record["time"] = self._iso(self.clock).replace(".000", "")
        record["method"] = method
        record["url"] = url
        return record

    def _page(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        if kind == "users":
            users = rng.sample(self.users, rng.choice((1, 1, 2, 3, 5, 10)))
            return {"data": users, "meta": {"result_count": len(users), "next_token": f"{rng.getrandbits(48):x}"}}
        tweets = rng.sample(self.tweets, 1 if kind == "tweet" else rng.choice((1, 2, 3, 5, 5, 10, 20)))
        authors = {t["author_id"] for t in tweets}
        body: dict[str, Any] = {"data": tweets[0] if kind == "tweet" else tweets}
        body["includes"] = {"users": [u for u in self.users if u["id"] in authors][:3]}
        if kind == "tweets":
            body["meta"] = {"result_count": len(tweets), "newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"], "next_token": f"{rng.getrandbits(48):x}"}
        return body

    # --- record kinds -----------------------------------------------------------------

    def success(self) -> list[dict[str, Any] | None]:
        _, _, kind = self.rng.choice(_ROUTES)
        return [self._response(200, self._page(kind))]

    def _not_found(self) -> dict[str, Any]:
        rid = self._id()
        kind = self.rng.choice(("tweet", "tweet", "user"))
        return {
            "value": rid,
            "detail": f"Could not find {kind} with id: [{rid}].",
            "title": "Not Found Error",
            "resource_type": kind,
            "parameter": "ids",
            "resource_id": rid,
            "type": PROBLEMS + "resource-not-found",
        }

    def _partial_error(self) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < 0.7:
            return self._not_found()
        rid = self._id()
        if roll < 0.88:
            return {
                "value": rid,
                "detail": f"Sorry, you are not authorized to see the Tweet with id: [{rid}].",
                "title": "Authorization Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": rid,
                "section": "data",
                "type": PROBLEMS + "not-authorized-for-resource",
            }
        field_ = self.rng.choice(("non_public_metrics.impression_count", "organic_metrics.like_count", "promoted_metrics.url_link_clicks"))
        return {
            "resource_type": "tweet",
            "field": field_,
            "parameter": "id",
            "resource_id": rid,
            "title": "Field Authorization Error",
            "section": "data",
            "detail": f"Sorry, you are not authorized to access '{field_}' on the Tweet with id : [{rid}].",
            "value": rid,
            "type": PROBLEMS + "not-authorized-for-field",
        }

    def partial(self) -> list[dict[str, Any] | None]:
        errors = [self._partial_error() for _ in range(self.rng.choice((1, 1, 1, 2, 3, 8)))]
        if self.rng.random() < 0.35:  # every id of the request failed: errors alone
            return [self._response(200, {"errors": errors})]
        body = self._page("tweets")
        body["errors"] = errors
        return [self._response(200, body)]

    def problem(self) -> list[dict[str, Any] | None]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            name = rng.choice(("tweet.fields", "expansions", "max_results", "ids", "query"))
            body: dict[str, Any] = {
                "errors": [{"parameters": {name: [self._text(1, 3)]}, "message": f"The `{name}` query parameter value [{self._text(1, 2)}] is not one of [id,text,author_id]"}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": PROBLEMS + "invalid-request",
            }
            return [self._response(400, body)]
        if roll < 0.55:
            return [self._response(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})]
        if roll < 0.68:
            body = {
                "client_id": str(rng.randrange(10**7, 10**8)),
                "required_enrollment": rng.choice(("Appropriate Level of API Access", "Standard Basic")),
                "registration_url": "https://developer.x.com/en/portal/product",
                "title": "Client Forbidden",
                "detail": "When authenticating requests to the X API v2 endpoints, you must use keys and tokens from an X developer App that is attached to a Project.",
                "reason": rng.choice(("client-not-enrolled", "client-not-enrolled", "official-client-forbidden")),
                "type": PROBLEMS + "client-forbidden",
            }
            return [self._response(403, body)]
        if roll < 0.80:
            body = {
                "title": "UsageCapExceeded",
                "detail": "Usage cap exceeded: Monthly product cap",
                "period": rng.choice(("Monthly", "Monthly", "Daily", "Hourly")),  # Hourly: not in the catalogue
                "scope": "Product",
                "type": X_PROBLEMS + "usage-capped",
            }
            return [self._response(429, body)]
        if roll < 0.88:
            body = {
                "title": "ConnectionException",
                "detail": "This stream is currently at the maximum allowed connection limit.",
                "connection_issue": "TooManyConnections",
                "type": PROBLEMS + "streaming-connection",
            }
            return [self._response(429, body)]
        if roll < 0.94:
            body = {
                "title": "Duplicate Rules",
                "detail": "One or more of your rules are duplicates.",
                "value": self._text(1, 4),
                "id": self._id(),
                "type": PROBLEMS + "duplicate-rules",
            }
            return [self._response(400, body)]
        body = {"title": "Not Found Error", "detail": "Could not find user with id: [0].", "type": PROBLEMS + "resource-not-found", "resource_type": "user", "resource_id": self._id(), "parameter": "id", "value": self._id()}
        if rng.random() < 0.3:
            body["status"] = 404
            body["request_id"] = f"{rng.getrandbits(64):x}"  # a member the catalogue does not declare
        return [self._response(404, body)]

    def unknown(self) -> list[dict[str, Any] | None]:
        slug = self.rng.choice(("client-not-enrolled", "usage-capped-app", "account-locked", "media-processing-failed", "rate-limit-exceeded"))
        body = {"title": slug.replace("-", " ").title(), "detail": self._text(5, 15), "type": PROBLEMS + slug}
        if self.rng.random() < 0.5:
            body["reason"] = self.rng.choice(("SpamDetected", "AccountLocked"))
        return [self._response(self.rng.choice((400, 403, 429, 503)), body)]

    def not_problem(self) -> list[dict[str, Any] | None]:
        roll = self.rng.random()
        if roll < 0.3:
            return [self._response(503, text=_HTML_503, content_type="text/html; charset=utf-8")]
        if roll < 0.45:
            return [self._response(404, text=_HTML_404, content_type="text/html;charset=utf-8")]
        if roll < 0.7:
            return [self._response(self.rng.choice((500, 502, 504)), text="", content_type="text/plain")]
        if roll < 0.9:
            return [self._response(429, text="Rate limit exceeded\n", content_type="text/plain;charset=utf-8")]
        return [self._response(None, text="upstream connect error or disconnect/reset before headers. reset reason: overflow", content_type="text/plain")]

    def stream_start(self) -> list[dict[str, Any] | None]:
        """A recorded filtered-stream session: frames, heartbeats, sometimes a disconnect."""
        frames: list[dict[str, Any] | None] = []
        rng = self.rng
        for _ in range(rng.randint(2, 10)):
            if rng.random() < 0.25:
                frames.append(None)  # keep-alive
                continue
            tweet = rng.choice(self.tweets)
            frames.append({
                "data": {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": tweet["edit_history_tweet_ids"], "author_id": tweet["author_id"], "created_at": tweet["created_at"]},
                "includes": {"users": [self.users[0]]} if rng.random() < 0.3 else {},
                "matching_rules": [{"id": self._id(), "tag": rng.choice(_WORDS)}],
            })
        if rng.random() < 0.15:
            frames.append({
                "errors": [{
                    "title": "operational-disconnect",
                    "disconnect_type": rng.choice(("UpstreamOperationalDisconnect", "OperationalDisconnect", "ForceDisconnect")),
                    "detail": "This stream has been disconnected upstream for operational reasons.",
                    "type": PROBLEMS + "operational-disconnect",
                }]
            })
        return frames

    def records(self) -> list[dict[str, Any] | None]:
        """The next record(s): one response, or one stream session's frames."""
        self.clock += self.rng.randrange(0, 3)
        roll = self.rng.random()
        for weight, kind in self.kinds:
            roll -= weight
            if roll < 0:
                return kind()
        return self.success()


_HTML_503 = (
    "<!DOCTYPE html>\n<html><head><title>Over capacity</title></head>\n<body><h1>Something is technically wrong.</h1>"
    "<p>Thanks for noticing — we're going to fix it up and have things back to normal soon.</p></body></html>\n"
)
_HTML_404 = (
    '<!DOCTYPE html>\n<html lang="en" class="dog">\n  <head>\n    <meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
    "    <title>Twitter / ?</title>\n    <link rel=\"stylesheet\" href=\"https://abs.twimg.com/errors/fullscreen_errors.css\">\n"
    "  </head>\n  <body dir=\"auto\">\n    <h1>Sorry, that page doesn’t exist!</h1>\n" + "    <div class=\"spacer\"></div>\n" * 40 + "  </body>\n</html>\n"
)


def write(path: Path, megabytes: float, seed: int = 16) -> tuple[int, int]:
    """Stream records to ``path`` until it holds ``megabytes`` MB; returns (bytes, lines)."""
    target = int(megabytes * MB)
    synth = Synth(seed)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    size = lines = 0
    with path.open("wb", buffering=1 << 20) as out:
        while size < target:
            for record in synth.records():
                line = (b"" if record is None else dumps(record).encode("utf-8")) + b"\n"
                out.write(line)
                size += len(line)
                lines += 1
    return size, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1000.0, help="size to write (1 MB = 10**6 bytes); default 1000")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    size, lines = write(args.out, args.megabytes, args.seed)
    print(json.dumps({"bytes": size, "lines": lines}))


if __name__ == "__main__":
    main()
