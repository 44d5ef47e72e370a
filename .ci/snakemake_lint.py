"""Snakemake's linter, with the one lint this workflow answers differently made explicit.

The linter asks every rule for a conda environment or a container. prismaflow's software
environment is the virtualenv built from envs/requirements.lock (PyPI only), the same for every
rule; conda channels are out of reach of the machines it is built and checked on, so an
environment file could never be tested and is not offered. Every other lint fails the check, and
so does a linter that stops without reporting.
"""

import re
import subprocess
import sys

ANSWERED = "Specify a conda environment or container for each rule."
LINT_TITLE = re.compile(r"^    \* (.+?):$", re.MULTILINE)


def main() -> int:
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"], capture_output=True, text=True
    )
    output = run.stdout + run.stderr
    titles = LINT_TITLE.findall(output)
    unanswered = [title for title in titles if title != ANSWERED]
    if unanswered or (run.returncode != 0 and not titles):
        print(output, file=sys.stderr)
        return 1
    print(f"snakemake --lint: no lints but the {len(titles)} answered in .ci/snakemake_lint.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
