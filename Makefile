# xproblems: the pinned inputs live here and in generator/pipeline.py (DEFAULT_SPEC).
SPECS   ?= ../shared/specs
DEFAULT_SPEC := $(SPECS)/x-api-v2-2.167.json
SPEC    ?= $(DEFAULT_SPEC)
# Older specs whose dropped types the live API still returns; only with the default spec.
OLDER   := $(SPECS)/x-api-v2-2.134.json $(SPECS)/x-api-v2-2.152.json $(SPECS)/x-api-v2-2.159.json
ALSO    ?= $(if $(filter $(DEFAULT_SPEC),$(SPEC)),$(OLDER),)
# The project's venv (make setup). Not $(wildcard ...): make caches directory listings, so
# `make setup generate` would not see the venv that setup just created. Use PYTHON=python
# to run with an interpreter where the project is already installed.
PYTHON  ?= .venv/bin/python
XP      := $(PYTHON) -m generator

.PHONY: setup generate check test lint golden bench spec-update clean

setup:
	python3 -m venv .venv
	.venv/bin/pip install -q -e '.[dev]'

generate:
	$(XP) generate --spec $(SPEC) $(if $(strip $(ALSO)),--also $(ALSO),)

check:
	$(XP) check --spec $(SPEC) $(if $(strip $(ALSO)),--also $(ALSO),)

test:
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check generator tests
	$(PYTHON) -m mypy --strict generator
	$(PYTHON) -m mypy --strict generated/x_problems
	$(PYTHON) -m ruff check --isolated --target-version py39 generated/x_problems

# Rewrites tests/golden/ from the current generator; review `git diff tests/golden` after.
golden:
	$(PYTHON) -m tests.update_golden

# Every figure of benchmarks/RESULTS.md in one run; peers go into benchmarks/.venv.
bench:
	$(PYTHON) benchmarks/bench.py --write benchmarks/RESULTS.md

# The scheduled job: fetch X's newest spec, report what changed, regenerate.
#   make spec-update URL=https://api.x.com/2/openapi.json [BASE=previous spec] [NEW=...]
# BASE (default: SPEC) is what the report compares against; the types it and the older
# specs know are kept (retired) in the regenerated package. A missing BASE is not an error:
# the first run of a fresh job has nothing to compare with.
NEW  ?= tmp/latest-spec.json
BASE ?= $(SPEC)
KEEP  = $(wildcard $(BASE) $(ALSO))
spec-update:
	@test -n "$(URL)" || { echo "usage: make spec-update URL=..." >&2; exit 2; }
	@mkdir -p tmp
	$(XP) fetch "$(URL)" --out $(NEW)
	@if [ -f "$(BASE)" ]; then \
	  $(XP) diff $(BASE) $(NEW) --also $(KEEP) --format markdown --fail-on never > tmp/spec-diff.md; \
	else echo "No base spec at $(BASE): nothing to compare with." > tmp/spec-diff.md; fi
	@cat tmp/spec-diff.md
	$(XP) generate --spec $(NEW) $(if $(strip $(KEEP)),--also $(KEEP),) $(if $(wildcard $(BASE)),--changelog $(BASE),)

clean:
	rm -rf tmp .pytest_cache .mypy_cache .ruff_cache
