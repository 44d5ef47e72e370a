"""Full-text screening in the app: the records that passed title/abstract, each with its full
text beside the decision (a PDF the reviewer uploads or points to under the protocol's folder),
decided with the full-text reasons or as not retrieved. Decisions go to
`config/decisions/full_text/<reviewer>.csv`, as the workflow reads them."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from prismaflow.app.auth import reviewing, signed_in
from prismaflow.app.choices import DECISIONS_AT, decision_from, phase_reasons
from prismaflow.app.full_texts import MAX_BYTES
from prismaflow.app.review import Review
from prismaflow.vocabulary import FULL_TEXT

# The PDF is shown in a frame of this app's own pages, and nowhere else; the policy sets no
# source limits, which would stop Chromium's own PDF viewer from drawing it.
PDF_POLICY = "frame-ancestors 'self'"
MAX_UPLOAD = MAX_BYTES + 1024 * 1024  # the PDF and the form around it


def pages(review: Review) -> Blueprint:
    pages = Blueprint("full_text", __name__)

    def at_full_text(record_id: str) -> str:
        if record_id not in review.full_text_records():
            abort(404, "this record has not reached full text")
        return record_id

    @pages.get("/full-text")
    @signed_in
    def overview():
        me = reviewing()
        own = review.own(me, FULL_TEXT)
        attached = review.full_texts.attached()
        rows = [
            {
                "record_id": r,
                "record": review.record(r),
                "own": own.get(r),
                "attached": attached.get(r),
            }
            for r in review.full_text_records()
        ]
        return render_template("full_texts.html", me=me, rows=rows)

    @pages.get("/full-text/<record_id>")
    @signed_in
    def record(record_id: str):
        me = reviewing()
        record_id = at_full_text(record_id)
        return render_template(
            "full_text.html",
            me=me,
            record_id=record_id,
            record=review.record(record_id),
            own=review.own(me, FULL_TEXT).get(record_id),
            attached=review.full_texts.attached().get(record_id),
            folder=review.full_texts.named,
            reasons=phase_reasons(review, FULL_TEXT),
            action=secrets.token_hex(8),
        )

    @pages.post("/full-text/<record_id>/attach")
    @signed_in
    def attach(record_id: str):
        me = reviewing()
        record_id = at_full_text(record_id)
        upload = request.files.get("pdf")
        action = request.form.get("action")
        if upload is not None and upload.filename:
            review.full_texts.upload(record_id, upload.filename, upload.read(), me, action)
        elif request.form.get("path", "").strip():
            review.full_texts.point(record_id, request.form["path"], me, action)
        else:
            abort(400, "choose a PDF to upload, or give the path of one under the folder")
        return redirect(url_for("full_text.record", record_id=record_id))

    @pages.get("/full-text/<record_id>/pdf")
    @signed_in
    def pdf(record_id: str):
        reviewing()
        found = review.full_texts.attached().get(at_full_text(record_id))
        if found is None or found.path is None:
            abort(404, found.problem if found else "no full text is attached to this record")
        response = send_file(found.path, mimetype="application/pdf")
        response.headers["Content-Security-Policy"] = PDF_POLICY
        return response

    @pages.post("/full-text/decide")
    @signed_in
    def decide():
        me = reviewing()
        record_id, decision, reason, note = decision_from(
            request.form,
            set(review.full_text_records()),
            DECISIONS_AT[FULL_TEXT],
            phase_reasons(review, FULL_TEXT),
        )
        review.store.decide(
            FULL_TEXT, me, record_id, decision, reason, note, request.form.get("action")
        )
        review.changed()
        return redirect(url_for("full_text.overview"))

    return pages
