#!/usr/bin/env bash
# Did this pull request change code, and not only notices? Writes code=true or code=false to
# $GITHUB_OUTPUT (check.yml runs the test suite only when true) and lists the changed code files.
# Compares the working tree, untracked files included, with the merge base of CHANGED_SINCE and HEAD.
# With no base to compare with, it answers true: better one test run too many than one too few.
#
# Environment: CHANGED_SINCE (see check.sh); GITHUB_OUTPUT.
set -euo pipefail
source "$(dirname "$0")/common.sh"
code_paths=(src tests pyproject.toml .github)
resolve_changed_since
if [[ -z $BASE_REF ]]; then
  code=true
  echo "no base to compare with: running the tests"
else
  base=$(git merge-base "$BASE_REF" HEAD)
  changed=$( { git diff --name-only "$base" -- "${code_paths[@]}"; \
               git ls-files --others --exclude-standard -- "${code_paths[@]}"; } | sort -u)
  if [[ -n $changed ]]; then
    code=true
    printf 'code changed since %s:\n%s\n' "$BASE_REF" "$changed"
  else
    code=false
    echo "no code changed since $BASE_REF (only ${code_paths[*]} count): skipping the tests"
  fi
fi
echo "code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
