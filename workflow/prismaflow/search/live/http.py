"""One HTTP client for every live search: a rate limit, retries for what is transient, a clear
stop for what is not, and a count of requests made.

Transient: 429 (waiting for the reset the server names), 5xx, timeouts, dropped connections
and bodies that do not parse (a truncated response). Permanent: other 4xx, such as a refused
key or a malformed query. Messages name the endpoint, never the parameters, which carry keys.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from prismaflow.errors import PrismaflowError

log = logging.getLogger(__name__)


class TransientError(Exception):
    """Worth another try; `wait` is how long the server asked us to wait, if it said."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class SearchError(PrismaflowError):
    """A live search cannot go on: the message says why, for a reviewer to act on."""


# Requests leave spaced a little wider than the limit, because the network can bunch them up
# on arrival (Biopython spaces NCBI requests 0.37 s apart, not 0.33, for the same reason).
SPACING_MARGIN = 1.1


@dataclass
class RateLimit:
    """At most `per_second` requests in any second, as the server counts them."""

    per_second: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float = field(default=-1e9, repr=False)

    def wait_turn(self) -> None:
        gap = SPACING_MARGIN / self.per_second - (self.clock() - self._last)
        if gap > 0:
            self.sleep(gap)
        self._last = self.clock()


@dataclass(frozen=True)
class Response:
    data: bytes
    headers: Mapping[str, str]


def _reset_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds until the server's quota resets: Retry-After (seconds or a date) or Scopus's
    X-RateLimit-Reset (epoch seconds)."""
    retry_after = headers.get("Retry-After")
    if retry_after:
        if retry_after.strip().isdecimal():
            return float(retry_after)
        try:
            return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
        except (TypeError, ValueError):
            return None
    reset = headers.get("X-RateLimit-Reset")
    if reset and reset.strip().isdecimal():
        return max(0.0, float(reset) - now)
    return None


PERMANENT = {
    400: "the database rejected the request as malformed (check the query's syntax)",
    401: "the API key was refused (check the key in the environment)",
    403: "access was refused (the key or institution token lacks this entitlement)",
    404: "the endpoint does not exist (check the base URL in the environment)",
}


@dataclass
class HttpClient:
    rate: RateLimit
    timeout: float = 30.0
    attempts: int = 6
    backoff: float = 1.0  # first retry waits this long, doubling each time
    max_wait: float = 900.0  # never wait longer than this for a quota reset
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    requests_made: int = 0

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "wait", None)
        if asked is not None:
            return min(asked, self.max_wait)
        return self.backoff * 2 ** (state.attempt_number - 1)

    def get(
        self,
        url: str,
        params: Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
        check: Callable[[bytes], Any] | None = None,
        what: str = "",
    ) -> Response:
        """The response body, after `check` (a parser) accepted it."""
        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
            before_sleep=lambda s: log.warning(
                "%s: %s; retry %d of %d", what or url, s.outcome.exception(), s.attempt_number,
                self.attempts - 1,
            ),
        )  # fmt: skip
        try:
            return retrying(self._once, url, params, headers or {}, check, what or url)
        except TransientError as exc:
            raise SearchError(
                f"{what or url}: still failing after {self.attempts} attempts ({exc}); "
                "the database may be down or limiting us: run the search again later, it "
                "resumes where it stopped"
            ) from None

    def _once(self, url, params, headers, check, what) -> Response:
        self.rate.wait_turn()
        self.requests_made += 1
        try:
            reply = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            data = reply.content
        except requests.Timeout:
            raise TransientError(f"no answer within {self.timeout:g} s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransientError(f"connection failed ({type(exc).__name__})") from None
        if reply.status_code == 429:
            raise TransientError(
                "HTTP 429 too many requests", wait=_reset_wait(reply.headers, time.time())
            )
        if reply.status_code >= 500:
            raise TransientError(f"HTTP {reply.status_code} from the server")
        if reply.status_code >= 400:
            reason = PERMANENT.get(reply.status_code, "the request was refused")
            raise SearchError(f"{what}: HTTP {reply.status_code}: {reason}")
        if check is not None:
            try:
                check(data)
            except PrismaflowError as exc:
                raise TransientError(f"unreadable response ({exc})") from None
        return Response(data, dict(reply.headers))
