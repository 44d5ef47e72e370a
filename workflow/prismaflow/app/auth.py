"""Who is signed in, for every page of the app. With tokens (`prismaflow serve --reviewers
ana,ben,adjudication`) a reviewer is the one their token names, from the session or a Bearer
header; without, on 127.0.0.1 only, the name they typed. The reviewer named `adjudication`
settles what the others disagree on and decides nothing of their own."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, redirect, request, session, url_for

from prismaflow.sheets import ADJUDICATOR

TOKENS = "PRISMAFLOW_TOKENS"  # app.config key: token -> reviewer, or None


def reviewer() -> str | None:
    tokens = current_app.config[TOKENS]
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if tokens is not None and bearer:
        return tokens.get(bearer) or abort(403, "unknown token")
    return session.get("reviewer")


def signed_in(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if reviewer() is None:
            return redirect(url_for("account.login"))
        return view(*args, **kwargs)

    return wrapped


def reviewing() -> str:
    """The signed-in reviewer, who must not be the adjudicator (who settles, not decides)."""
    me = reviewer()
    if me == ADJUDICATOR:
        abort(403, "the adjudicator settles disagreements, on the adjudication pages")
    return me


def adjudicating() -> str:
    if reviewer() != ADJUDICATOR:
        abort(403, "only the adjudicator sees other reviewers' decisions")
    return ADJUDICATOR
