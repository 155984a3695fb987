# Two commands for a new user: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# One Dagster instance for `make run` and `make ui`: the UI shows the runs, materialisations
# and check results of the command-line runs.
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# The warehouse's home as `make run` uses it (sources/settings.py): the manifest is parsed with
# it, so the run's dbt build parses only what changed (see orchestration/dbt_project.py).
TWRESAS_HOME ?= $(CURDIR)
export PATH := $(abspath $(BIN)):$(PATH)
# The instance's settings (orchestration/dagster.yaml), unless DAGSTER_HOME has its own.
INSTANCE_CONFIG = mkdir -p $(DAGSTER_HOME) && (test -s $(DAGSTER_HOME)/dagster.yaml \
	|| cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml)
# Re-parsed when anything dbt reads is newer (folders count: adding or removing a file changes
# its folder's mtime); orchestration/dbt_manifest.py refuses a manifest older than these.
MANIFEST := dbt_project/target/manifest.json
DBT_INPUTS := dbt_project/dbt_project.yml \
	$(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests)

# $(call beside,BESIDE,MAIN): BESIDE runs in the background while MAIN runs; its output is
# kept and printed after MAIN's, and the recipe fails if either failed.
beside = @beside_log=$$(mktemp); ($(1)) > $$beside_log 2>&1 & beside=$$!; \
	$(2); main_status=$$?; \
	wait $$beside; beside_status=$$?; cat $$beside_log; rm -f $$beside_log; \
	if [ $$beside_status -ne 0 ]; then echo "failed (output above): $(strip $(1))"; fi; \
	test $$main_status -eq 0 && test $$beside_status -eq 0

.PHONY: setup bytecode manifest run test test-quick test-spark ui docs atlas lint sqlfix bench clean lock spark-check

setup: $(STAMP) $(MANIFEST) bytecode

# The project's own modules compiled to bytecode (0.1 s when nothing changed). Where
# PYTHONDONTWRITEBYTECODE is set, as on the build machines, every interpreter would otherwise
# compile them again when it imports them: about 0.6 s for each `python -m orchestration.cli`
# and each process a test starts (installed packages are compiled by pip).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q orchestration sources expectations tests benchmarks

# The dbt manifest the code location is built from, prepared here and never when Dagster
# loads it (as the dagster-dbt docs recommend).
manifest: $(MANIFEST)
$(MANIFEST): $(STAMP) $(DBT_INPUTS)
	TWRESAS_HOME=$(TWRESAS_HOME) $(BIN)/dagster-dbt project prepare-and-package \
		--file orchestration/dbt_manifest.py

# Exactly the tested versions: the hashed lock file, then the project itself without deps.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock: setup  ## recompile requirements.lock from pyproject.toml (after changing a dependency)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/python -m piptools compile --quiet --extra dev --extra spark --generate-hashes \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

run: setup  ## materialise every asset offline, validate, publish, print a summary
	$(INSTANCE_CONFIG)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/python -m orchestration.cli run

# Two pytest-xdist workers, whole files each, in the order tests/conftest.py sets (longest
# first); they share one build of the pipeline (the first to need it builds it). `make lint`
# runs beside them at the lowest CPU priority, its output printed after pytest's: it takes the
# CPU pytest leaves (runs waiting on subprocesses, one worker's tail) and finishes after it; at
# a higher priority it slowed the tests more than it saved. The Spark build of the models
# (marker `spark`) is test-spark's: .ci/run runs it after this.
test: setup  ## lint and every test but the Spark build, as CI runs it
	$(call beside,nice -n 19 $(MAKE) --no-print-directory lint,\
		$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not spark")

# The same dbt project built on Apache Spark from the session's pipeline run and compared with
# DuckDB's marts (tests/test_spark_build.py): one process, Spark's local[2] takes both cores.
test-spark: setup  ## the Spark build's tests (needs Java), which .ci/run runs after make test
	$(BIN)/python -m pytest -m spark

# The inner loop: no pipeline run and no test that starts Dagster or dbt in a fresh interpreter
# (markers `pipeline`, `integration`); pytest on two processes (pytest-xdist, one test file per
# process at a time, so a module's fixtures are built once) while dbt's unit tests run beside
# it, their one-line result printed after pytest's. dbt's unit tests take their inputs' columns
# from the last `make run`'s working database (an empty copy of it; tests/run_dbt_unit_tests.py).
test-quick: setup  ## ruff, the tests not marked pipeline or integration, dbt's unit tests
	$(BIN)/ruff check .
	$(call beside,PYTHONPATH=$(CURDIR) $(BIN)/python tests/run_dbt_unit_tests.py,\
		$(BIN)/python -m pytest -m "not pipeline and not integration" -q -n 2 --dist loadfile)

spark-check: setup  ## build the models on Apache Spark too and compare every mart with DuckDB's
	$(BIN)/python -m orchestration.spark_check

ui: setup  ## the Dagster UI on the same code location
	$(INSTANCE_CONFIG)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -m orchestration.definitions

docs: setup  ## dbt docs (catalogue and lineage) into dbt_project/target
	$(BIN)/python -m orchestration.cli docs

atlas: setup  ## the offline region atlas (warehouse/atlas/index.html) from the published warehouse
	$(BIN)/python -m orchestration.cli atlas

# dbt-score and sqlfluff's dbt templater both use the `lint` target of profiles.yml (an empty
# in-memory DuckDB) and one folder, dbt_project/target/lint: neither reads the warehouse nor
# touches the manifest the pipeline uses, and sqlfluff's processes parse the project partially
# from the parse dbt-score reads (each parsed it whole before: make lint on a fresh target took
# 85 CPU-seconds, now 79). Settings: .sqlfluff, [tool.dbt-score].
# sqlfluff lints files in two processes once dbt has compiled the project (69 s -> 41 s here),
# through tests/run_sqlfluff.py, with the project's garbage-collector thresholds
# (orchestration/gc_thresholds.py: sqlfluff's CPU 82 -> 62 s here, the same findings).
SQLFLUFF := PYTHONPATH=$(CURDIR) $(BIN)/python tests/run_sqlfluff.py
lint: setup  ## ruff, dbt-score (>= 9.0), sqlfluff over the models (dbt templater, 0 findings)
	$(BIN)/ruff check .
	$(BIN)/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project \
		--target lint --target-path target/lint
	$(BIN)/dbt-score lint --manifest dbt_project/target/lint/manifest.json
	$(SQLFLUFF) lint --processes 2 dbt_project/models dbt_project/tests

sqlfix: setup  ## apply sqlfluff's automatic fixes to the models (review the diff, then lint)
	$(SQLFLUFF) fix --processes 2 dbt_project/models dbt_project/tests

bench: setup
	$(BIN)/python benchmarks/real_estate_ingest.py

clean:
	rm -rf warehouse landing expectations/gx dbt_project/target .dagster_home
