# Set-up happens on demand: `make review` and `make test` each create the virtualenv from the
# pinned requirements (PyPI only) the first time, and reuse it afterwards.
PYTHON ?= python3
VENV ?= .venv
CORES ?= 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Python caches what it compiles (__pycache__, git-ignored): without it every job, run and test
# process compiles the package and the tests again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: review test test-fast test-slow test-slurm test-asreview lint lock clean

PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
UV_PIN := $(shell grep '^uv==' envs/requirements.lock)
EXTRAS := test,dev
ALL_EXTRAS := $(EXTRAS),benchmark

# install(extras): the package with those extras, every package pinned by the lock. uv (pinned
# in the lock, fetched by pip) installs in seconds where pip takes more than a minute; where uv
# cannot be had or cannot reach the registry, pip does the same install.
define install
$(PIP) $(UV_PIN) && $(BIN)/uv pip install --quiet --native-tls --compile-bytecode --python $(BIN)/python \
		-c envs/requirements.lock -e '.[$(1)]' \
	|| $(PIP) -c envs/requirements.lock -e '.[$(1)]'
endef

$(STAMP): pyproject.toml envs/requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(call install,$(EXTRAS))
	touch $@

## review: run the whole review on the configured protocol (embedded default: ruxolitinib)
review: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

## test: run the test suite on every core (tests that share a module's run stay together)
test: $(STAMP)
	$(BIN)/python -m pytest -n $(CORES) --dist loadgroup

## test-fast: the unit and gate layers only (no workflow runs), for the edit-test loop
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/gates

## test-slow: checks at length the default suite leaves out (a SIGKILL of Snakemake mid-search)
test-slow: $(STAMP)
	PRISMAFLOW_SLOW_TESTS=1 $(BIN)/python -m pytest -m slow tests/integration

## test-slurm: the review on a single-node SLURM cluster started here (root; a few minutes)
test-slurm: $(STAMP)
	PRISMAFLOW_SLURM_TEST=1 $(BIN)/python -m pytest -m slurm tests/integration/test_slurm_cluster.py

## test-asreview: the exports read by ASReview LAB's own loader (adds the benchmark extra)
test-asreview: $(STAMP)
	$(call install,$(ALL_EXTRAS))
	$(BIN)/python -m pytest tests/unit/test_exports_in_asreview.py

## lint: the format and workflow checks CI runs before the tests
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check .
	$(BIN)/python .ci/snakemake_lint.py

## lock: re-pin envs/requirements.lock after changing pyproject.toml
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e '.[$(ALL_EXTRAS)]'
	( head -2 envs/requirements.lock; .venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v "^pip==" ) \
		> envs/requirements.lock.new
	mv envs/requirements.lock.new envs/requirements.lock && rm -rf .venv-lock

clean:
	rm -rf results .snakemake
