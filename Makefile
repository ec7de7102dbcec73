# xproblems. Every input default (the current spec, the pinned history of older specs, the
# supplement) comes from specs/pins.json through the CLI; make only calls it.
# `make generate SPEC=newer.json` builds a newer spec on top of the pinned history.
SPEC    ?=
# `make generate OUT=dir` writes elsewhere than generated/ (benchmarks, scratch builds).
OUT     ?=
# The project's venv (make setup). Not $(wildcard ...): make caches directory listings, so
# `make setup generate` would not see the venv that setup just created. Use PYTHON=python
# to run with an interpreter where the project is already installed.
PYTHON  ?= .venv/bin/python
XP      := $(PYTHON) -m xproblems

.PHONY: setup generate check test test-fast test-versions test-all lint golden bench fuzz spec-update spec-pin clean

setup:
	python3 -m venv .venv
	.venv/bin/pip install -q -e '.[dev]'

generate:
	$(XP) generate $(if $(SPEC),--spec $(SPEC),) $(if $(OUT),--out $(OUT),)

check:
	$(XP) check $(if $(SPEC),--spec $(SPEC),) $(if $(OUT),--out $(OUT),)

test:
	$(PYTHON) -m pytest

# The whole suite on Python 3.11, 3.12 and 3.13, and the generated package's runtime tests on
# 3.9 and 3.10, each in its own venv under .venvs/ (tests/python_versions.py); an absent
# interpreter is skipped with a message.
test-versions:
	$(PYTHON) -m tests.python_versions

# What CI runs: the suite here, then on every other supported Python.
test-all: test
	$(PYTHON) -m tests.python_versions --skip $$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# The edit-test loop: every unit and the runtime, without whole-spec subprocess runs,
# the hostile corpus, the runner-layout clone and the wheel (the tests marked slow).
test-fast:
	$(PYTHON) -m pytest -m "not slow"

lint:
	$(PYTHON) -m ruff check generator tests
	$(PYTHON) -m mypy --strict generator
	$(PYTHON) -m mypy --strict generated/x_problems
	$(PYTHON) -m ruff check --isolated --target-version py39 generated/x_problems

# Rewrites tests/golden/ from the current generator; review `git diff tests/golden` after.
golden:
	$(PYTHON) -m tests.update_golden

# Fuzz error_from_response, partial_errors, classify_stream_line and the spec loader
# (tests/test_fuzz.py): FUZZ_EXAMPLES examples per target from seed FUZZ_SEED, so a run is
# reproducible; another seed explores further. The normal suite runs 40 fixed ones.
FUZZ_EXAMPLES ?= 1000
FUZZ_SEED     ?= 0
fuzz:
	XPROBLEMS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTHON) -m pytest tests/test_fuzz.py --hypothesis-seed=$(FUZZ_SEED) --durations=4

# Every figure of benchmarks/RESULTS.md in one run; peers go into benchmarks/.venv.
bench:
	$(PYTHON) benchmarks/bench.py --write benchmarks/RESULTS.md

# The scheduled job: fetch X's newest spec, pin it, report what changed, regenerate.
#   make spec-update URL=https://api.x.com/2/openapi.json
# The base of the report is what is committed (specs/pins.json), never a cache: an unchanged
# spec prints "no change" and leaves the tree clean; a fetch failure stops here, changing nothing.
NEW    ?= tmp/latest-spec.json
REPORT ?= tmp/spec-diff.md
spec-update:
	@test -n "$(URL)" || { echo "usage: make spec-update URL=..." >&2; exit 2; }
	@mkdir -p tmp
	$(XP) fetch "$(URL)" --out $(NEW)
	$(MAKE) --no-print-directory spec-pin NEW="$(NEW)" URL="$(URL)"

# Pin a spec already fetched (the weekly workflow's Action fetched it) and regenerate.
spec-pin:
	$(XP) pin $(NEW) --url "$(URL)" --report $(REPORT) --changelog generated/docs/CHANGES.md
	$(XP) generate --quiet

clean:
	rm -rf tmp .pytest_cache .mypy_cache .ruff_cache .venvs
