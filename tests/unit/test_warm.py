"""The run's warm process runs a job's script in a forked child: same file, folder,
environment, output streams and exit code as running it alone; without one the job runs in
its own process."""

import os
import subprocess
import sys
import time

import pytest

from prismaflow import warm

SCRIPT = """
import os, sys
from prismaflow.warm import delegate
delegate(__file__)
print("ran in", os.getpid(), "child" if os.environ.get("PRISMAFLOW_WARM_CHILD") else "alone")
print("secret seen:", os.environ.get("JOB_SECRET"), file=sys.stderr)
open("out.txt", "w").write(os.getcwd())
if sys.argv[1:] == ["fail"]:
    raise RuntimeError("the job failed")
if sys.argv[1:] == ["refuse"]:
    sys.exit("prismaflow: config.yaml, line 3: fix it")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("sock") / "jobs.sock")
    preload = ["prismaflow.errors", "prismaflow.catalog"]  # first, then the rest
    process = subprocess.Popen(
        [sys.executable, "-m", "prismaflow.warm", path, str(os.getpid()), *preload, "600"]
    )
    deadline = time.monotonic() + 60
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield path
    warm.stop(path)
    process.wait(timeout=10)


def job(tmp_path, socket_path, *args):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "JOB_SECRET": "s3"}
    if socket_path:
        env[warm.SOCKET_VARIABLE] = socket_path
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_job_runs_in_a_child_with_its_own_folder_environment_and_streams(server, tmp_path):
    done = job(tmp_path, server)
    assert done.returncode == 0, done.stderr
    assert "child" in done.stdout and "secret seen: s3" in done.stderr
    assert (tmp_path / "out.txt").read_text() == str(tmp_path)


def test_a_failing_job_fails_with_its_traceback(server, tmp_path):
    done = job(tmp_path, server, "fail")
    assert done.returncode == 1
    assert "child" in done.stdout and "RuntimeError: the job failed" in done.stderr


def test_a_refusal_says_its_message_as_a_job_run_alone_would(server, tmp_path):
    served, alone = job(tmp_path, server, "refuse"), job(tmp_path, None, "refuse")
    assert served.returncode == alone.returncode == 1
    assert served.stderr == alone.stderr
    assert served.stderr.splitlines()[-1] == "prismaflow: config.yaml, line 3: fix it"


def test_without_a_warm_process_the_job_runs_alone(tmp_path):
    done = job(tmp_path, str(tmp_path / "gone" / "jobs.sock"))
    assert done.returncode == 0 and "alone" in done.stdout
    assert (tmp_path / "out.txt").read_text() == str(tmp_path)


def test_a_job_a_scheduler_placed_runs_where_it_was_placed(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    done = job(tmp_path, server)
    assert done.returncode == 0 and "alone" in done.stdout


def test_switched_off_no_warm_process_starts(monkeypatch):
    monkeypatch.setenv(warm.SWITCH_VARIABLE, "off")
    assert warm.start(["prismaflow.errors"], []) is None


def test_switched_off_a_job_runs_alone_even_beside_a_warm_process(server, tmp_path, monkeypatch):
    monkeypatch.setenv(warm.SWITCH_VARIABLE, "off")
    done = job(tmp_path, server)
    assert done.returncode == 0 and "alone" in done.stdout


def test_a_job_of_another_copy_of_the_package_is_declined_and_runs_alone(server, tmp_path):
    """A warm process runs only jobs of the package it imported: an edited copy's jobs must
    run their own code."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(
        warm.Path(warm.PACKAGE), copy / "prismaflow", ignore=shutil.ignore_patterns("__pycache__")
    )
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={**os.environ, warm.SOCKET_VARIABLE: server, "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "alone" in done.stdout, done.stderr


def test_a_run_shares_a_warm_process_of_its_own_package_and_leaves_it_running(server, monkeypatch):
    monkeypatch.setenv(warm.SOCKET_VARIABLE, server)
    # As in a run's own process, which started none (this test process may have started the
    # session's shared one, which a stop() here would end for every later test).
    monkeypatch.setattr(warm, "_started", [])
    assert warm.serves_this_package(server)
    assert warm.start(["prismaflow.errors"], []) is None  # shared, not started
    warm.stop()
    assert os.path.exists(server)


def test_the_warm_process_imports_what_jobs_import_even_inside_functions():
    """A library a module imports inside a function (the Wilson interval's statsmodels) would
    otherwise be imported again by every job's child."""
    first, rest = warm.job_modules()
    assert "prismaflow.quality.search" in first  # the gates' suites, what most jobs wait for
    assert "prismaflow.synthesise.figures" in rest  # the rest of what the scripts import
    assert {"statsmodels.stats.proportion", "statsmodels.stats.meta_analysis"} <= set(rest)
    assert not [name for name in rest if name.startswith("typing.")]  # modules, not names
