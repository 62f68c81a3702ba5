#!/usr/bin/env bash
# Shows what a change does to the synthesized CloudFormation of every environment, with no AWS
# credentials: synthesizes BASE (a git ref, default HEAD) in a temporary worktree, then runs
# `cdk diff --template` of the working tree's app against each of BASE's templates.
#
#   scripts/diff-templates.sh                 # working tree vs HEAD, all environments
#   scripts/diff-templates.sh origin/main prod
#   FAIL_ON_DIFF=1 scripts/diff-templates.sh  # exit 1 when any template differs (for CI gates)
set -euo pipefail
cd "$(dirname "$0")/.."

base="${1:-HEAD}"
shift || true
envs=("$@")
if [ ${#envs[@]} -eq 0 ]; then envs=(dev staging prod); fi
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=1

work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base" >/dev/null
ln -s "$PWD/node_modules" "$work/base/node_modules"
(cd "$work/base" && bash scripts/synth-all.sh "${envs[@]}" >/dev/null 2>&1) || {
  echo "could not synthesize $base; see: (cd $work/base && bash scripts/synth-all.sh)" >&2
  exit 2
}

fail_flag=()
if [ "${FAIL_ON_DIFF:-0}" = "1" ]; then fail_flag=(--fail); fi
status=0
for env in "${envs[@]}"; do
  for template in "$work/base/cdk.out/$env"/*.template.json; do
    stack=$(basename "$template" .template.json)
    echo "=== $env: $stack (against $base)"
    npx cdk diff --no-notices --exclusively -c "env=$env" --template "$template" "$stack" "${fail_flag[@]}" 2>&1 |
      grep -v -E '^(Bundling asset|  \.\.\.|⚡ Done|$)' || status=$?
  done
done
exit "$status"
