"""A review's workflow run without a Snakemake process per run: Snakemake resolves the DAG
(a dry run: the rules, their inputs, outputs and parameters, what needs to run), and each
job's own script runs in a child of the test session's warm process (prismaflow.warm), in
the order the DAG gives, as a Snakemake job's script would run there.

For the matrix of reviews, whose subject is what each protocol gives, not Snakemake's
scheduling, logs and metadata: those are tested by test_workflow.py, test_code_edits.py and
the tests that compare a run with this one (test_matrix.py)."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from prismaflow import warm


class JobFailed(AssertionError):
    def __init__(self, rule: str, log: str) -> None:
        super().__init__(f"{rule} failed:\n{log}")
        self.rule = rule


def resolved(
    folder: Path,
    targets: Sequence[str] = (),
    configfiles: Sequence[Path] = (),
    forceall: bool = False,
) -> tuple[list, dict]:
    """The jobs a run of the folder would execute (every job, with `forceall`), in an order
    that respects the DAG, and the run's config: Snakemake's own dry run, in this process."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        Quietness,
        ResourceSettings,
    )

    here = os.getcwd()
    try:
        with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
            workflow_api = api.workflow(
                resource_settings=ResourceSettings(cores=1),
                config_settings=ConfigSettings(configfiles=[folder / f for f in configfiles]),
                snakefile=folder / "Snakefile",
                workdir=folder,
            )
            settings = DAGSettings(targets=set(targets), forceall=forceall)
            workflow_api.dag(settings).execute_workflow(executor="dryrun")
            workflow = workflow_api._workflow  # the resolved DAG: Snakemake has no public API
            dag = workflow.dag
            jobs = [job for level in dag.toposorted() for job in level if dag.needrun(job)]
            return jobs, workflow.config
    finally:
        os.chdir(here)


def scheduled(folder: Path, *args: str) -> dict[str, int]:
    """The rules `snakemake -n [--configfile FILE ...] [TARGET ...]` would run, by count."""
    targets, configfiles, files = [], [], False
    for arg in args:
        if arg == "--configfile":
            files = True
        elif arg.startswith("-"):
            raise ValueError(f"only targets and --configfile are read here, not {arg}")
        elif files:
            configfiles.append(Path(arg))
        else:
            targets.append(arg)
    jobs, _ = resolved(folder.resolve(), targets, configfiles)
    return dict(Counter(job.rule.name for job in jobs))


def _job_file(job, config, scripts: Path) -> Path:
    """The script as Snakemake hands it to a job: its `snakemake` object, then its code."""
    from snakemake.iocontainers import Snakemake

    script = Path(job.rule.basedir.get_path_or_uri(secret_free=True)) / job.rule.script
    made = Snakemake(
        job.input,
        job.output,
        job.params,
        job.wildcards,
        1,
        job.resources,
        job.log,
        config,
        job.rule.name,
        None,
        str(script.parent),
    )
    path = scripts / f"{job.rule.name}_{job.jobid}.py"
    path.write_text(
        "import pickle\n"
        f"snakemake = pickle.loads({pickle.dumps(made)!r})\n"
        f"__real_file__ = {str(script.resolve())!r}\n"
        "exec(compile(open(__real_file__, encoding='utf-8').read(), __real_file__, 'exec'))\n",
        encoding="utf-8",
    )
    return path


def run(folder: Path, env: dict[str, str]) -> None:
    """Run what the folder's workflow would run; JobFailed names the job and its log."""
    socket_path = env[warm.SOCKET_VARIABLE]
    folder = folder.resolve()
    with tempfile.TemporaryDirectory(prefix="jobs-") as scripts:
        jobs, config = resolved(folder, forceall=True)
        for job in (job for job in jobs if job.rule.script):
            for path in (*job.output, *job.log):
                target = folder / path
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
                target.parent.mkdir(parents=True, exist_ok=True)
            script = _job_file(job, config, Path(scripts))
            code = warm.run_script(socket_path, str(script), str(folder), env, wait=60)
            if code is None:
                raise JobFailed(job.rule.name, f"no warm process took it at {socket_path}")
            if code != 0:
                logs = [folder / log for log in job.log if (folder / log).is_file()]
                raise JobFailed(job.rule.name, "".join(p.read_text()[-3000:] for p in logs))


if __name__ == "__main__":
    # A run of a review folder on the package this process imports (PYTHONPATH), through a
    # warm process of its own: for a copy of the package whose modules a test edits.
    import sys

    os.environ.pop(warm.SOCKET_VARIABLE, None)
    socket_path = warm.start(*warm.job_modules(), idle=300)
    try:
        run(Path(sys.argv[1]), {**os.environ, warm.SOCKET_VARIABLE: socket_path})
    finally:
        warm.stop(socket_path)
