"""The screening app: its pages, one module each (account, screening, adjudication, full
text, extraction, risk of bias, the workflow run), served server-rendered and escaped, loading
nothing from outside the machine (a Content-Security-Policy says so to the browser as well).
A reviewer sees their own decisions and never another's; the reviewer named `adjudication`
sees the conflicts, with both decisions, and settles them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from flask import Flask, render_template
from markupsafe import Markup, escape

from prismaflow.app import (
    account_pages,
    adjudication_pages,
    bias_pages,
    extraction_pages,
    full_text_pages,
    run_pages,
    screening_pages,
)
from prismaflow.app.auth import TOKENS
from prismaflow.app.review import Review
from prismaflow.errors import PrismaflowError

# Frames: a full text's PDF is shown beside the form, from this app only (full_text_pages).
POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; connect-src 'self'; base-uri 'none'; frame-src 'self'; "
    "object-src 'self'; frame-ancestors 'none'"
)


def highlight(text: object, terms: list[str]) -> Markup:
    """Text escaped, with the protocol's terms marked: escaping comes first, so markup in a
    title is shown as text and never run."""
    if not isinstance(text, str) or not text:
        return Markup("")
    if not terms:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def create_app(review: Review, tokens: Mapping[str, str] | None = None, cores: int = 2) -> Flask:
    """`tokens`: token -> reviewer, or None for reviewers who name themselves."""
    app = Flask(__name__)
    app.secret_key = os.urandom(32)
    # A request larger than the largest full text is refused before it is read.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=full_text_pages.MAX_UPLOAD,
    )
    app.config[TOKENS] = tokens
    runner = run_pages.WorkflowRun(review.folder, cores)
    terms = list(review.screening["app"]["highlight"])
    app.jinja_env.filters["highlight"] = lambda text: highlight(text, terms)
    app.jinja_env.globals["risk_of_bias"] = bool(review.bias.tools)
    for blueprint in (
        account_pages.pages(review, tokens, runner),
        screening_pages.pages(review),
        adjudication_pages.pages(review),
        full_text_pages.pages(review),
        extraction_pages.pages(review),
        bias_pages.pages(review),
        run_pages.pages(runner),
    ):
        app.register_blueprint(blueprint)

    @app.after_request
    def fenced(response):
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(PrismaflowError)
    def refused(error):
        return render_template("message.html", title="Cannot go on", message=str(error)), 400

    return app
