"""The extraction forms, one included study at a time, and the adjudicator's page that settles
what reviewers disagree on (app.forms holds what the pages show and save).

A reviewer sees the machine's value for each field with the words it was read from marked in
the title or abstract, and saves the form: every field then holds the reviewer's own value,
confirmed or corrected, and the machine's stays in the workflow's trail. Reviewers are blind to
each other; the adjudicator sees each disagreement with every reviewer's value.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for

from prismaflow.app.auth import adjudicating, reviewing, signed_in
from prismaflow.app.review import Review


def included(review: Review, record_id: str) -> str:
    """The record, if it is an included study; a 404 otherwise."""
    if record_id not in review.included():
        abort(404, "this record is not an included study (yet: run the workflow)")
    return record_id


def pages(review: Review) -> Blueprint:
    pages = Blueprint("extraction", __name__)

    @pages.get("/extract")
    @signed_in
    def extraction():
        me = reviewing()
        filled = review.extraction.filled(me)
        rows = [
            {"record_id": r, "record": review.record(r), "filled": r in filled}
            for r in review.included()
        ]
        return render_template("extract_list.html", me=me, rows=rows)

    def _extraction_form(me: str, record_id: str, written=None, problems=None, status=200):
        record = review.record(record_id)
        machine = review.extraction.prefill(record)
        own = review.extraction.own(me, record_id)
        given = written if written is not None else own  # None: the machine's values
        return render_template(
            "extract.html",
            me=me,
            record_id=record_id,
            record=record,
            texts=review.extraction.highlighted(record, machine),
            fields=review.extraction.shown(record, machine, given),
            saved=own is not None,
            problems=problems or {},
            action=secrets.token_hex(8),
        ), status

    @pages.get("/extract/<record_id>")
    @signed_in
    def extraction_form(record_id: str):
        return _extraction_form(reviewing(), included(review, record_id))

    @pages.post("/extract/<record_id>")
    @signed_in
    def save_extraction(record_id: str):
        me, record_id = reviewing(), included(review, record_id)
        written = {
            spec.name: request.form.get(f"field-{spec.name}", "")
            for spec in review.extraction.fields
        }
        problems = review.extraction.problems(written)
        if problems:
            return _extraction_form(me, record_id, written, problems, status=400)
        review.extraction.save(me, record_id, written, request.form.get("action"))
        return redirect(url_for("extraction.extraction"))

    @pages.route("/extract/settle", methods=["GET", "POST"])
    @signed_in
    def settle_extraction():
        me = adjudicating()
        if request.method == "POST":
            record_id = included(review, request.form.get("record") or "")
            field = request.form.get("field")
            if field not in review.extraction.by_name:
                abort(400, "not a field of the protocol's form")
            written = request.form.get("value", "").strip()
            problems = review.extraction.problems({field: written})
            if not written or problems:
                abort(400, f"{field}: {problems.get(field, 'give the settled value (or NR)')}")
            review.extraction.settle(record_id, field, written, request.form.get("action"))
            return redirect(url_for("extraction.settle_extraction"))
        open_ = review.extraction.disagreements(review.index, set(review.included()))
        items = [
            {
                "record_id": row.record_id,
                "title": review.record(row.record_id).get("title"),
                "item": row.field,
                "label": review.extraction.by_name[row.field].description,
                "values": row.values,
                "options": list(review.extraction.by_name[row.field].values) or None,
            }
            for row in open_.itertuples()
        ]
        return render_template(
            "settle.html",
            me=me,
            heading="Extraction disagreements",
            target=url_for("extraction.settle_extraction"),
            item_name="field",
            items=items,
            support=False,
            action=secrets.token_hex(8),
        )

    return pages
