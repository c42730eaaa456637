#!/usr/bin/env bash
# `statuspress check` as GitHub annotations, for check.yml (every pull request) and publish.yml (before
# every deploy; the fast path's direct pushes get the very same check).
# Errors for every notice; warnings only for the notices changed since CHANGED_SINCE, those first,
# since GitHub shows only the first few annotations of a step. Paths are relative to the repository root.
#
# Environment: SITE_DIR (default .); CHANGED_SINCE, a git ref: origin/<base branch> on a pull request,
#   the previous head on a push; unset: warnings for every notice.
# Exit status: that of `statuspress check`: 1 when a notice has an error.
set -euo pipefail
source "$(dirname "$0")/common.sh"
resolve_changed_since
args=(check --site "$SITE_DIR" --format github)
if [[ -n $BASE_REF ]]; then
  args+=(--changed-since "$BASE_REF")
fi
echo "statuspress ${args[*]}"
statuspress "${args[@]}"
