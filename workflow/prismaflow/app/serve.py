"""`prismaflow serve`: the screening app over a review folder, on waitress (a WSGI server made
for serving, unlike Flask's development server), bound to this machine unless reviewers are
given tokens to share it on a network."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from waitress import create_server

from prismaflow.app.account_pages import NAME
from prismaflow.app.review import Review
from prismaflow.app.web import create_app
from prismaflow.errors import ConfigError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    folder: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    reviewers: Sequence[str] = (),
    cores: int = 2,
    announce: Callable[[str], None] = print,
) -> None:
    bad = [name for name in reviewers if not NAME.match(name)]
    if bad:
        raise ConfigError(
            f"--reviewers: {bad} are not reviewer names (lower-case letters, "
            "digits and _, starting with a letter, as their decision files)"
        )
    if host not in LOOPBACK and not reviewers:
        raise ConfigError(
            f"--host {host}: sharing the app beyond this machine needs --reviewers, so that "
            "each reviewer signs in with a token of their own"
        )
    review = Review(folder.resolve()).start()
    tokens = {secrets.token_urlsafe(18): name for name in reviewers} or None
    server = create_server(create_app(review, tokens, cores), host=host, port=port, threads=8)
    url = f"http://{host}:{server.effective_port}"
    announce(f"prismaflow serve: {url} (Ctrl-C stops it)")
    for token, name in (tokens or {}).items():
        announce(f"  {name}: {url}/login?token={token}")
    server.run()
