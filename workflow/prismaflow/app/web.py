"""The screening app's pages: server-rendered, escaped, and loading nothing from outside the
machine (a Content-Security-Policy says so to the browser as well).

Who is who: with tokens (`prismaflow serve --reviewers ana,ben,adjudication`) a reviewer signs
in with the token printed for them and anything else is refused; without, on 127.0.0.1 only,
a reviewer types their name. A reviewer sees their own decisions and never another's; the
reviewer named `adjudication` sees the conflicts, with both decisions, and settles them.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, redirect, render_template, request, session, url_for
from markupsafe import Markup, escape

from prismaflow import catalog
from prismaflow.app import form_pages, full_text_pages
from prismaflow.app.auth import TOKENS, adjudicating, reviewer, reviewing, signed_in
from prismaflow.app.choices import DECISIONS_AT, decision_from, phase_reasons
from prismaflow.app.review import Review
from prismaflow.errors import PrismaflowError
from prismaflow.installed import workflow_command
from prismaflow.parquet_io import read_frame
from prismaflow.sheets import ADJUDICATOR
from prismaflow.vocabulary import PHASES, TITLE_ABSTRACT

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
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


class WorkflowRun:
    """One workflow run at a time, in the background, started from the app."""

    def __init__(self, folder: Path, cores: int) -> None:
        self.folder, self.cores = folder, cores
        self.thread: threading.Thread | None = None
        self.returncode: int | None = None
        self.output = ""

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self.returncode, self.output = None, ""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        done = subprocess.run(
            workflow_command(self.folder, self.cores), capture_output=True, text=True, check=False
        )
        self.output = (done.stdout + done.stderr)[-4000:]
        self.returncode = done.returncode


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
    runner = WorkflowRun(review.folder, cores)
    reasons = phase_reasons(review, TITLE_ABSTRACT)
    terms = list(review.screening["app"]["highlight"])
    app.jinja_env.filters["highlight"] = lambda text: highlight(text, terms)
    app.jinja_env.globals["risk_of_bias"] = bool(review.bias.tools)
    app.register_blueprint(full_text_pages.pages(review))
    app.register_blueprint(form_pages.pages(review))

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

    @app.route("/login", methods=["GET", "POST"])
    def login():
        given = request.values.get("token") if tokens is not None else request.values.get("name")
        if request.method == "GET" and not given:
            return render_template("login.html", tokens=tokens is not None)
        if tokens is not None:
            name = tokens.get(given or "")
            if name is None:
                return render_template("login.html", tokens=True, error="Unknown token."), 403
        else:
            name = (given or "").strip().lower()
            if not NAME.match(name):
                error = "A name is lower-case letters, digits and _, starting with a letter."
                return render_template("login.html", tokens=False, error=error), 400
        session.clear()
        session["reviewer"] = name
        return redirect(url_for("home"))

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"))

    @app.get("/")
    @signed_in
    def home():
        return render_template(
            "home.html",
            me=reviewer(),
            progress=review.progress(),
            adjudicator=ADJUDICATOR,
            runner=runner,
            prisma=_prisma(review.folder),
        )

    @app.get("/screen")
    @signed_in
    def screen():
        me = reviewer()
        if me == ADJUDICATOR:
            return redirect(url_for("adjudicate"))
        skipped = session.get("skipped", [])
        if request.args.get("skip") in review.needed:
            skipped = [*skipped, request.args["skip"]][-200:]
            session["skipped"] = skipped
        record_id = request.args.get("record")
        if record_id not in review.needed:
            record_id = review.next_record(me, skip=set(skipped))
        if record_id is None:
            return render_template(
                "message.html",
                title="Nothing left to screen",
                message="Every record that needs you has your decision.",
            )
        mine = review.own(me)
        own = mine.get(record_id)
        ranking = review.ranking
        shown = review.screening["app"]["show_suggestion"]
        return render_template(
            "screen.html",
            me=me,
            record=review.record(record_id),
            record_id=record_id,
            own=own,
            reasons=reasons,
            action=secrets.token_hex(8),
            score=ranking.scores.get(record_id) if shown else None,
            why=ranking.terms.get(record_id) if shown else None,
            decided=len(mine),
            total=len(review.to_screen),
        )

    def _decision_from(values: Mapping[str, Any]) -> tuple[str, str, str | None, str | None]:
        return decision_from(values, set(review.needed), DECISIONS_AT[TITLE_ABSTRACT], reasons)

    @app.post("/decide")
    @signed_in
    def decide():
        me = reviewing()
        record_id, decision, reason, note = _decision_from(request.form)
        review.store.decide(
            TITLE_ABSTRACT, me, record_id, decision, reason, note, request.form.get("action")
        )
        review.changed()
        return redirect(url_for("screen"))

    @app.post("/api/decide")
    @signed_in
    def api_decide():
        me = reviewing()
        values = request.get_json(force=True, silent=True) or {}
        record_id, decision, reason, note = _decision_from(values)
        action = review.store.decide(
            TITLE_ABSTRACT, me, record_id, decision, reason, note, values.get("action")
        )
        review.changed()
        return jsonify({"ok": True, "action": action.id, "timestamp": action.timestamp})

    @app.post("/undo")
    @signed_in
    def undo():
        action = review.store.undo(
            request.form.get("action"), phase=TITLE_ABSTRACT, reviewer=reviewer()
        )
        review.changed()
        return redirect(url_for("screen", record=action.record) if action else url_for("screen"))

    @app.route("/adjudicate", methods=["GET", "POST"])
    @signed_in
    def adjudicate():
        adjudicating()
        if request.method == "POST":
            phase = request.form.get("phase", TITLE_ABSTRACT)
            if phase not in PHASES:
                abort(400, f"phase must be one of {PHASES}")
            records = review.needed if phase == TITLE_ABSTRACT else review.full_text_records()
            record_id, decision, reason, note = decision_from(
                request.form, set(records), DECISIONS_AT[phase], phase_reasons(review, phase)
            )
            review.store.decide(
                phase,
                ADJUDICATOR,
                record_id,
                decision,
                reason,
                note,
                request.form.get("action"),
            )
            review.changed()
            return redirect(url_for("adjudicate"))
        conflicts = [{**c, "record": review.record(c["record_id"])} for c in review.conflicts()]
        return render_template(
            "adjudicate.html",
            me=ADJUDICATOR,
            conflicts=conflicts,
            reasons={phase: phase_reasons(review, phase) for phase in PHASES},
            action=secrets.token_hex(8),
        )

    @app.post("/run")
    @signed_in
    def run():
        runner.start()
        return redirect(url_for("home"))

    @app.get("/run")
    @signed_in
    def run_status():
        return jsonify({"running": runner.running, "returncode": runner.returncode})

    return app


def _prisma(folder: Path) -> list[dict[str, Any]]:
    """The PRISMA counts of the last finished run, if there is one."""
    path = folder / catalog.path("prisma")
    if not path.is_file():
        return []
    counts = read_frame(path)
    return counts[counts["reason"].isna()][["label", "count"]].to_dict("records")
