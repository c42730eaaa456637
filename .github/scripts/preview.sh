#!/usr/bin/env bash
# Each new or changed notice as customers will read it (title, state, affected components, text), as
# Markdown appended to the job summary, so reviewers approve the words rather than the YAML.
# Runs locally too: without GITHUB_STEP_SUMMARY it prints to standard output only.
#
# Environment: SITE_DIR (default .); CHANGED_SINCE (see check.sh); GITHUB_STEP_SUMMARY.
set -euo pipefail
source "$(dirname "$0")/common.sh"
resolve_changed_since
args=(preview --site "$SITE_DIR")
if [[ -n $BASE_REF ]]; then
  args+=(--changed-since "$BASE_REF")
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  statuspress "${args[@]}" | tee -a "$GITHUB_STEP_SUMMARY"
  echo >> "$GITHUB_STEP_SUMMARY"  # end its last line, whatever a later step appends
else
  statuspress "${args[@]}"
fi
