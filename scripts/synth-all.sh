#!/usr/bin/env bash
# Synthesizes every environment into cdk.out/<env> with no AWS credentials and no network, then
# lints the templates with cfn-lint when it is installed (CFN_LINT=/path/to/cfn-lint to choose one).
#
#   scripts/synth-all.sh              # dev, staging and prod
#   scripts/synth-all.sh prod         # only the environments named
#
# Synth fails on any unacknowledged cdk-nag finding (the app registers the AwsSolutions checks).
set -euo pipefail
cd "$(dirname "$0")/.."

envs=("$@")
if [ ${#envs[@]} -eq 0 ]; then envs=(dev staging prod); fi

export CDK_DISABLE_VERSION_CHECK=1
export CDK_DISABLE_CLI_TELEMETRY=1

for env in "${envs[@]}"; do
  start=$(date +%s)
  rm -rf "cdk.out/$env"
  npx cdk synth -c "env=$env" -o "cdk.out/$env" --quiet --no-notices
  echo "synth $env: cdk.out/$env ($(($(date +%s) - start)) s)"
done

lint="${CFN_LINT:-cfn-lint}"
if command -v "$lint" >/dev/null 2>&1; then
  templates=()
  for env in "${envs[@]}"; do templates+=(cdk.out/"$env"/*.template.json); done
  # .cfnlintrc.yaml at the repository root holds the ignored checks and why.
  "$lint" -- "${templates[@]}"
  echo "cfn-lint: ${#templates[@]} templates clean"
else
  echo "cfn-lint not found (set CFN_LINT or: python3 -m venv /tmp/cfnlint && /tmp/cfnlint/bin/pip install cfn-lint)"
fi
