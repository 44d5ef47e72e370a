"""One HTTP client for every live search: a rate limit, retries for what is transient, a clear
stop for what is not, and a count of requests made.

Transient: 429 below the quota (waiting for the reset the server names), 5xx, timeouts,
dropped connections and bodies that do not parse (a truncated response). Permanent: what each
database's own `diagnose` recognises in its reply (a refused key, a malformed query, an
exhausted quota), and other 4xx. A permanent error stops at once, quoting the database; each
retry is one line on the terminal with its wait. Messages name the endpoint, never the
parameters, and any secret the database echoes back is blanked out of them.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tqdm import tqdm

from prismaflow.errors import PrismaflowError
from prismaflow.lifeline import run_alive

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


# A database's reading of a refused request: the error to raise (SearchError: stop;
# TransientError: retry), or None to leave it to the status code.
Diagnosis = Callable[[int, Mapping[str, str], bytes], Exception | None]


def say(line: str) -> None:
    """One line on the terminal, above any progress bar, and in the job's log."""
    tqdm.write(line, file=sys.stderr)
    log.warning("%s", line)


def reset_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until the server's quota resets: Retry-After (seconds or a date) or Scopus's
    X-RateLimit-Reset (epoch seconds)."""
    now = time.time() if now is None else now
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
    secrets: tuple[str, ...] = ()  # blanked out of every message
    diagnose: Diagnosis | None = None
    notify: Callable[[str], None] = say
    run_alive: Callable[[], bool] = run_alive

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "wait", None)
        if asked is not None:
            return min(asked, self.max_wait)
        return self.backoff * 2 ** (state.attempt_number - 1)

    def _pause(self, seconds: float) -> None:
        """Sleep, but stop with the run: a long wait for a quota reset must not outlive it."""
        deadline = time.monotonic() + seconds
        while True:
            self._stop_with_the_run()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.sleep(min(left, 1.0))

    def _stop_with_the_run(self) -> None:
        if not self.run_alive():
            raise SearchError(
                "the Snakemake run that started this search has stopped, so the search stops "
                "too; pages fetched so far are kept: run the workflow again to resume "
                "(after `snakemake --unlock` if it says the folder is locked)"
            )

    def blank(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

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
            sleep=self._pause,
            reraise=True,
            before_sleep=lambda s: self.notify(
                f"{what or url}: {s.outcome.exception()}; retry {s.attempt_number} of "
                f"{self.attempts - 1} in {s.next_action.sleep:.3g} s"
            ),
        )
        try:
            return retrying(self._once, url, params, headers or {}, check, what or url)
        except TransientError as exc:
            raise SearchError(
                f"{what or url}: still failing after {self.attempts} attempts ({exc}); "
                "the database may be down or limiting us: run the search again later, it "
                "resumes where it stopped"
            ) from None

    def _once(self, url, params, headers, check, what) -> Response:
        self._stop_with_the_run()
        self.rate.wait_turn()
        self.requests_made += 1
        try:
            reply = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            data = reply.content
        except requests.Timeout:
            raise TransientError(f"no answer within {self.timeout:g} s") from None
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ):
            raise SearchError(
                f"{what}: {url.split('?')[0]} is not a URL the client can reach; check the "
                "database's base URL in the environment (NCBI_EUTILS_URL, SCOPUS_API_URL)"
            ) from None
        except requests.RequestException as exc:  # refused, reset, dropped half-way
            raise TransientError(f"connection failed ({type(exc).__name__})") from None
        diagnosis = self.diagnose(reply.status_code, reply.headers, data) if self.diagnose else None
        if isinstance(diagnosis, SearchError):
            raise SearchError(self.blank(f"{what}: {diagnosis}")) from None
        if diagnosis is not None:
            raise diagnosis
        if reply.status_code == 429:
            raise TransientError("HTTP 429 too many requests", wait=reset_wait(reply.headers))
        if reply.status_code >= 500:
            raise TransientError(f"HTTP {reply.status_code} from the server")
        if reply.status_code >= 400:
            reason = PERMANENT.get(reply.status_code, "the request was refused")
            raise SearchError(f"{what}: HTTP {reply.status_code}: {reason}")
        if check is not None:
            try:
                check(data)
            except SearchError as exc:  # the database answered, and its answer is a refusal
                raise SearchError(self.blank(f"{what}: {exc}")) from None
            except PrismaflowError as exc:
                raise TransientError(f"unreadable response ({exc})") from None
        return Response(data, dict(reply.headers))
