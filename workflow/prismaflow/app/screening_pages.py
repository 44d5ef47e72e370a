"""Title and abstract screening: the next record a reviewer should decide (the ranking's
choice, or one they ask for), their decision, and undoing it. A reviewer sees their own
decisions and never another's."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for

from prismaflow.app.auth import reviewer, reviewing, signed_in
from prismaflow.app.choices import DECISIONS_AT, action_of, decision_from, phase_reasons
from prismaflow.app.review import Review
from prismaflow.sheets import ADJUDICATOR
from prismaflow.vocabulary import TITLE_ABSTRACT


def pages(review: Review) -> Blueprint:
    pages = Blueprint("screening", __name__)
    reasons = phase_reasons(review, TITLE_ABSTRACT)

    @pages.get("/screen")
    @signed_in
    def screen():
        me = reviewer()
        if me == ADJUDICATOR:
            return redirect(url_for("adjudication.adjudicate"))
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

    @pages.post("/decide")
    @signed_in
    def decide():
        me = reviewing()
        record_id, decision, reason, note = _decision_from(request.form)
        review.store.decide(
            TITLE_ABSTRACT, me, record_id, decision, reason, note, action_of(request.form)
        )
        review.changed()
        return redirect(url_for("screening.screen"))

    @pages.post("/api/decide")
    @signed_in
    def api_decide():
        me = reviewing()
        values = request.get_json(force=True, silent=True) or {}
        record_id, decision, reason, note = _decision_from(values)
        action = review.store.decide(
            TITLE_ABSTRACT, me, record_id, decision, reason, note, action_of(values)
        )
        review.changed()
        return jsonify({"ok": True, "action": action.id, "timestamp": action.timestamp})

    @pages.post("/undo")
    @signed_in
    def undo():
        action = review.store.undo(
            request.form.get("action"), phase=TITLE_ABSTRACT, reviewer=reviewer()
        )
        review.changed()
        return redirect(
            url_for("screening.screen", record=action.record)
            if action
            else url_for("screening.screen")
        )

    return pages
