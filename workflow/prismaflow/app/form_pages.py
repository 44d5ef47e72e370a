"""The extraction and risk-of-bias forms, one study at a time, and the adjudicator's pages that
settle what reviewers disagree on (app.forms holds what the pages show and save).

A reviewer sees the machine's value for each extraction field with the words it was read from
marked in the title or abstract, and saves the form: every field then holds the reviewer's own
value, confirmed or corrected, and the machine's stays in the workflow's trail. Reviewers are
blind to each other; the adjudicator sees each disagreement with every reviewer's value.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for

from prismaflow.app.auth import adjudicating, reviewing, signed_in
from prismaflow.app.review import Review
from prismaflow.appraise.judgements import ANSWER_LABELS, OVERALL


def pages(review: Review) -> Blueprint:
    pages = Blueprint("forms", __name__)

    def included(record_id: str) -> str:
        if record_id not in review.included():
            abort(404, "this record is not an included study (yet: run the workflow)")
        return record_id

    # Extraction ----------------------------------------------------------------------------

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
        return _extraction_form(reviewing(), included(record_id))

    @pages.post("/extract/<record_id>")
    @signed_in
    def save_extraction(record_id: str):
        me, record_id = reviewing(), included(record_id)
        written = {
            spec.name: request.form.get(f"field-{spec.name}", "")
            for spec in review.extraction.fields
        }
        problems = review.extraction.problems(written)
        if problems:
            return _extraction_form(me, record_id, written, problems, status=400)
        review.extraction.save(me, record_id, written, request.form.get("action"))
        return redirect(url_for("forms.extraction"))

    @pages.route("/extract/settle", methods=["GET", "POST"])
    @signed_in
    def settle_extraction():
        me = adjudicating()
        if request.method == "POST":
            record_id, field = request.form.get("record"), request.form.get("field")
            included(record_id or "")
            if field not in review.extraction.by_name:
                abort(400, "not a field of the protocol's form")
            written = request.form.get("value", "").strip()
            problems = review.extraction.problems({field: written})
            if not written or problems:
                abort(400, f"{field}: {problems.get(field, 'give the settled value (or NR)')}")
            review.extraction.settle(record_id, field, written, request.form.get("action"))
            return redirect(url_for("forms.settle_extraction"))
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
            target=url_for("forms.settle_extraction"),
            item_name="field",
            items=items,
            support=False,
            action=secrets.token_hex(8),
        )

    # Risk of bias --------------------------------------------------------------------------

    def _tool(record_id: str):
        design = review.designs().get(record_id)
        tool = review.bias.tool(design)
        if tool is None:
            abort(404, f"the protocol names no risk-of-bias tool for the design {design!r}")
        return design, tool

    @pages.get("/appraise")
    @signed_in
    def appraisal():
        me = reviewing()
        designs = review.designs()
        rows = []
        for record_id, design in sorted(designs.items()):
            tool = review.bias.tool(design)
            own = review.bias.own(me, record_id)
            rows.append(
                {
                    "record_id": record_id,
                    "record": review.record(record_id),
                    "design": design,
                    "tool": tool,
                    "judged": sum(d in tool.domain_ids for d in own) if tool else 0,
                }
            )
        return render_template("appraise_list.html", me=me, rows=rows)

    def _bias_form(me: str, record_id: str, judged=None, problems=None, status=200):
        design, tool = _tool(record_id)
        judged = judged if judged is not None else review.bias.own(me, record_id)
        return render_template(
            "appraise.html",
            me=me,
            record_id=record_id,
            record=review.record(record_id),
            design=design,
            tool=tool,
            overall=OVERALL,
            judged=judged,
            proposed=review.bias.proposed(tool, judged),
            from_answers=review.bias.proposed_domains(tool, judged),
            answers=ANSWER_LABELS,
            items_met=tool.items_met({d: j for d, (j, _) in judged.items()}),
            problems=problems or {},
            action=secrets.token_hex(8),
        ), status

    @pages.get("/appraise/<record_id>")
    @signed_in
    def bias_form(record_id: str):
        return _bias_form(reviewing(), included(record_id))

    @pages.post("/appraise/<record_id>")
    @signed_in
    def save_bias(record_id: str):
        me, record_id = reviewing(), included(record_id)
        _, tool = _tool(record_id)
        judged = {
            item: (
                request.form.get(f"judgement-{item}", ""),
                request.form.get(f"support-{item}", ""),
            )
            for item in (*tool.question_ids, *tool.domain_ids, OVERALL)
        }
        problems = review.bias.problems(tool, judged)
        if problems:
            return _bias_form(me, record_id, judged, problems, status=400)
        completed = review.bias.completed(tool, judged)
        review.bias.save(
            me, record_id, completed, request.form.get("action") or secrets.token_hex(8)
        )
        return redirect(url_for("forms.bias_form", record_id=record_id))

    @pages.route("/appraise/settle", methods=["GET", "POST"])
    @signed_in
    def settle_bias():
        me = adjudicating()
        if request.method == "POST":
            record_id, domain = request.form.get("record", ""), request.form.get("domain", "")
            _, tool = _tool(included(record_id))
            judgement = request.form.get("value", "")
            allowed = tool.overall_judgements if domain == OVERALL else tool.judgements
            if domain not in (*tool.domain_ids, OVERALL) or judgement not in allowed:
                abort(400, f"{domain!r} of {tool.label} is judged one of: {', '.join(allowed)}")
            review.bias.settle(
                record_id,
                domain,
                judgement,
                request.form.get("support", ""),
                request.form.get("action"),
            )
            return redirect(url_for("forms.settle_bias"))
        conflicts = review.bias.conflicts(review.designs(), review.index)
        items = []
        for row in conflicts.itertuples():
            tool = review.bias.tool(row.design)
            items.append(
                {
                    "record_id": row.record_id,
                    "title": review.record(row.record_id).get("title"),
                    "item": row.domain,
                    "label": f"{tool.label}: {row.question}",
                    "values": row.reviewers,
                    "options": list(
                        tool.overall_judgements if row.domain == OVERALL else tool.judgements
                    ),
                }
            )
        return render_template(
            "settle.html",
            me=me,
            heading="Risk-of-bias disagreements",
            target=url_for("forms.settle_bias"),
            item_name="domain",
            items=items,
            support=True,
            action=secrets.token_hex(8),
        )

    return pages
