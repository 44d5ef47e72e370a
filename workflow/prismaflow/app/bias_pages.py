"""The risk-of-bias forms, one included study at a time with its design's tool, and the
adjudicator's page that settles what reviewers disagree on (app.forms holds what the pages show
and save). A judgement other than the tool's algorithm gives needs a reason."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for

from prismaflow.app.auth import adjudicating, reviewing, signed_in
from prismaflow.app.extraction_pages import included
from prismaflow.app.review import Review
from prismaflow.appraise.judgements import ANSWER_LABELS, OVERALL


def pages(review: Review) -> Blueprint:
    pages = Blueprint("bias", __name__)

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
        return _bias_form(reviewing(), included(review, record_id))

    @pages.post("/appraise/<record_id>")
    @signed_in
    def save_bias(record_id: str):
        me, record_id = reviewing(), included(review, record_id)
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
        return redirect(url_for("bias.bias_form", record_id=record_id))

    @pages.route("/appraise/settle", methods=["GET", "POST"])
    @signed_in
    def settle_bias():
        me = adjudicating()
        if request.method == "POST":
            record_id, domain = request.form.get("record", ""), request.form.get("domain", "")
            _, tool = _tool(included(review, record_id))
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
            return redirect(url_for("bias.settle_bias"))
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
            target=url_for("bias.settle_bias"),
            item_name="domain",
            items=items,
            support=True,
            action=secrets.token_hex(8),
        )

    return pages
