"""The adjudicator's page: every conflict between reviewers, with both decisions, settled one
record at a time, at title and abstract or at full text."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for

from prismaflow.app.auth import adjudicating, signed_in
from prismaflow.app.choices import DECISIONS_AT, action_of, decision_from, phase_reasons
from prismaflow.app.review import Review
from prismaflow.sheets import ADJUDICATOR
from prismaflow.vocabulary import PHASES, TITLE_ABSTRACT


def pages(review: Review) -> Blueprint:
    pages = Blueprint("adjudication", __name__)

    @pages.route("/adjudicate", methods=["GET", "POST"])
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
                action_of(request.form),
            )
            review.changed()
            return redirect(url_for("adjudication.adjudicate"))
        conflicts = [{**c, "record": review.record(c["record_id"])} for c in review.conflicts()]
        return render_template(
            "adjudicate.html",
            me=ADJUDICATOR,
            conflicts=conflicts,
            reasons={phase: phase_reasons(review, phase) for phase in PHASES},
            action=secrets.token_hex(8),
        )

    return pages
