"""Signing in and out, and the overview a reviewer lands on.

Who is who: with tokens (`prismaflow serve --reviewers ana,ben,adjudication`) a reviewer signs
in with the token printed for them and anything else is refused; without, on 127.0.0.1 only,
a reviewer types their name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from prismaflow import catalog
from prismaflow.app.auth import reviewer, signed_in
from prismaflow.app.review import Review
from prismaflow.app.run_pages import WorkflowRun
from prismaflow.parquet_io import read_frame
from prismaflow.sheets import ADJUDICATOR

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def pages(review: Review, tokens: Mapping[str, str] | None, runner: WorkflowRun) -> Blueprint:
    """`tokens`: token -> reviewer, or None for reviewers who name themselves."""
    pages = Blueprint("account", __name__)

    @pages.route("/login", methods=["GET", "POST"])
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
        return redirect(url_for("account.home"))

    @pages.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("account.login"))

    @pages.get("/")
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

    return pages


def _prisma(folder: Path) -> list[dict[str, Any]]:
    """The PRISMA counts of the last finished run, if there is one."""
    path = folder / catalog.path("prisma")
    if not path.is_file():
        return []
    counts = read_frame(path)
    return counts[counts["reason"].isna()][["label", "count"]].to_dict("records")
