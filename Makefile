# The platform's commands. `make demo` and `make test` install what they need first (setup).
# The CDK CLI stays off the network: no version check, no telemetry, no notices (cdk.json too).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := 1
export NODE_NO_WARNINGS := 1
export NPM_CONFIG_FUND := false
export NPM_CONFIG_AUDIT := false
export NPM_CONFIG_UPDATE_NOTIFIER := false

PYTHON ?= python3
VENV := .venv
NODE_STAMP := node_modules/.install-stamp
VENV_STAMP := $(VENV)/.install-stamp
# The PostgreSQL JDBC driver local Spark reads the OLTP source with (Glue ships its own).
JDBC_DRIVER := $(VENV)/jars/postgresql-42.7.4.jar
ENVS := dev staging prod

.PHONY: help setup postgres demo api test test-ts test-python typecheck lint format synth diff cfn-lint contracts bench bench-curation bench-curation-floor bench-warehouse bench-freshness bench-api clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(NODE_STAMP) $(VENV_STAMP) $(JDBC_DRIVER) postgres ## Install npm packages, the pinned Python environment, the JDBC driver and PostgreSQL

$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV_STAMP): requirements.txt
	@command -v java >/dev/null || { echo "Java 17 is needed by PySpark (apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(JDBC_DRIVER): $(VENV_STAMP) scripts/fetch-jdbc-driver.sh
	bash scripts/fetch-jdbc-driver.sh

postgres: ## Make sure PostgreSQL's server binaries are installed (the twin's OLTP source; apt-get when missing)
	@bash scripts/ensure-postgres.sh

demo: setup ## Run the local twin end to end on a small scale and print what an operator sees
	npx tsx demo/run-demo.ts $(DEMO_ARGS)

api: setup ## Run the demo, then keep the REST API serving its warehouse and live tables on localhost:8787 (Ctrl-C to stop)
	npx tsx demo/run-demo.ts --serve 8787 $(DEMO_ARGS)

test: setup ## Everything CI checks: contracts, types, lint, Jest, synth + cfn-lint of every env, Glue tests
	npx tsx scripts/generate-contract-types.ts --check
	npx tsc --noEmit -p .
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-ts
	$(MAKE) --no-print-directory synth
	$(MAKE) --no-print-directory test-python

test-ts: setup ## Jest: contracts, config, constructs and stacks (snapshots, cdk-nag), handlers, twin, integration
	npx jest --ci

test-python: setup ## pytest over glue-scripts on local PySpark
	$(VENV)/bin/python -m pytest -q glue-scripts

typecheck: setup
	npx tsc --noEmit -p .

lint: setup ## ESLint and Prettier
	npx eslint --max-warnings=0 .
	npx prettier --check --log-level=warn .

format: setup
	npx prettier --write --log-level=warn .

synth: setup ## Synthesize dev, staging and prod into cdk.out/<env> with no credentials, then cfn-lint them
	CFN_LINT=$(VENV)/bin/cfn-lint bash scripts/synth-all.sh $(ENVS)

diff: setup ## What the working tree changes in every environment's templates (BASE=<git ref>, default HEAD)
	bash scripts/diff-templates.sh $(or $(BASE),HEAD) $(ENVS)

cfn-lint: setup ## cfn-lint the templates of the last synth (.cfnlintrc.yaml says what is ignored and why)
	$(VENV)/bin/cfn-lint -- $(foreach e,$(ENVS),cdk.out/$(e)/*.template.json)

contracts: setup ## Regenerate contracts/generated from contracts/schemas
	npx tsx scripts/generate-contract-types.ts

bench: setup ## Run the quick benchmarks (results go in docs/benchmarks.md by hand)
	npx tsx bench/transformer-bench.ts
	npx tsx bench/ingest-e2e-bench.ts

bench-curation: setup ## The curation benchmark: a month of orders at scale 1 through the Glue job (~10 min, 18 GB)
	npx tsx bench/curation-bench.ts

bench-curation-floor: setup ## The least work any design of the curation job must do for that month: read, parse, write (~3-5 min)
	$(VENV)/bin/python bench/curation_floor.py

bench-warehouse: setup ## The warehouse benchmark: a year at scale 1, every view on DuckDB and PostgreSQL (about an hour, 40 GB of disk)
	npx tsx bench/warehouse-bench.ts

bench-api: setup ## The REST API under load (autocannon) beside the same lookups made directly, in the same run
	npx tsx bench/api-load-bench.ts

bench-freshness: setup ## Real-time freshness through the twin: put to live tables and to the realtime views, 1,000 events/s for 60 s
	npx tsx bench/realtime-freshness-bench.ts

clean: ## Remove build output and the twin's data
	rm -rf cdk.out .twin
