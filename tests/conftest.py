"""Shared paths and helpers for all test layers."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# ../shared sits beside a developer's and CI's checkout, not beside a user's clone.
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or a skip that says why the test cannot run here."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: third-party data lives in ../shared beside the checkout")
    return path


@pytest.fixture(scope="session")
def config():
    from prismaflow.config import load_yaml, validate_config

    return validate_config(load_yaml(ROOT / "config" / "config.yaml"))
