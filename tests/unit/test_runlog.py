"""A job's failure: a user's error is one message in the log and on the terminal; a bug keeps
its traceback and says it is one (#18, item 8)."""

import pytest

from prismaflow.errors import InputFileError
from prismaflow.runlog import logged_to


def test_a_users_error_is_one_message_without_a_traceback(tmp_path):
    log = tmp_path / "job.log"
    with pytest.raises(SystemExit) as stopped, logged_to(log, "screen_records"):
        raise InputFileError("config/decisions/full_text/bob.csv", "unknown record", line=4)
    assert (
        stopped.value.code
        == "prismaflow: config/decisions/full_text/bob.csv, line 4: unknown record"
    )
    text = log.read_text()
    assert "bob.csv, line 4: unknown record" in text and "Traceback" not in text


def test_a_bug_keeps_its_traceback_and_says_it_is_one(tmp_path):
    log = tmp_path / "job.log"
    with pytest.raises(KeyError), logged_to(log, "screen_records"):
        raise KeyError("n_responders")
    text = log.read_text()
    assert "this is a bug in prismaflow" in text and "Traceback" in text
