#!/usr/bin/env bash
# The fast path for urgent first posts (README, "Publishing with GitHub"). COMMS.md: acknowledge as
# soon as customers are affected. So on-call may push a new incident whose only update is its first
# "Investigating" post straight to main, without waiting for a reviewer; later updates, every
# maintenance notice and the message templates go through a reviewed pull request.
#
# publish.yml runs this on every push to main, after the same `check` a pull request gets. It lists
# the notices and templates the push changed without a merged pull request: a first post is noted for
# review after the fact; anything else gets a loud warning. It never blocks the deploy: the content is
# on main already, and customers should not wait for an audit.
#
# Environment: BEFORE, the previous head of the branch (github.event.before); SITE_DIR (default .);
#   VIA_PULL_REQUEST, true when HEAD was merged from a pull request (unset: asked from the GitHub API
#   with GH_TOKEN and GITHUB_REPOSITORY; unknown without them); GITHUB_STEP_SUMMARY.
set -euo pipefail
source "$(dirname "$0")/common.sh"
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

CHANGED_SINCE=${BEFORE:-}
resolve_changed_since
if [[ -z $BASE_REF ]]; then
  echo "no previous head to compare with; nothing to audit"
  exit 0
fi

via=${VIA_PULL_REQUEST:-}
if [[ -z $via && -n ${GH_TOKEN:-} && -n ${GITHUB_REPOSITORY:-} ]]; then
  merged=$(gh api "repos/$GITHUB_REPOSITORY/commits/$(git rev-parse HEAD)/pulls" \
             --jq '[.[] | select(.merged_at != null)] | length' 2>/dev/null || true)
  if [[ $merged =~ ^[0-9]+$ ]]; then
    via=$([[ $merged -gt 0 ]] && echo true || echo false)
  fi
fi
if [[ $via == true ]]; then
  echo "$(git rev-parse --short HEAD) was merged from a reviewed pull request"
  exit 0
fi

# The watched folders, relative to the repository root (the site may live in a sub-folder).
prefix=$(cd "$SITE_DIR" && git rev-parse --show-prefix)
watched=("${prefix}incidents" "${prefix}maintenance" "${prefix}templates/messages")
maybe=""
if [[ $via != false ]]; then
  maybe=" (could not ask GitHub whether this push came from a pull request; if it did, ignore this)"
fi

# A first post: a new incident file whose only update heading is "## Investigating · <time>".
first_post() {
  local file=$1 updates
  [[ $file == "${prefix}incidents/"*.md ]] || return 1
  updates=$(grep -Ei '^##[[:space:]]' "$file" | grep -Eiv '^##[[:space:]]+postmortem' || true)
  [[ $(grep -c . <<<"$updates") -eq 1 ]] && grep -Eiq '^##[[:space:]]+investigating' <<<"$updates"
}

fast=() unreviewed=()
while IFS=$'\t' read -r status file; do
  if [[ $status == A ]] && first_post "$file"; then
    fast+=("$file")
    echo "::notice file=$file,title=Fast path::first post published without review; ask the reviewers to read it now, and send the next update through a pull request"
  else
    unreviewed+=("$file")
    echo "::warning file=$file,title=Published without review::changed on main without a pull request$maybe; only a new incident's first Investigating post may skip review (README, fast path); open a pull request to have it reviewed now"
  fi
done < <(git diff --name-status --no-renames "$BASE_REF" HEAD -- "${watched[@]}")

if (( ${#fast[@]} + ${#unreviewed[@]} == 0 )); then
  echo "no notice or message template changed without review"
  exit 0
fi
{
  echo "## Published without a pull request$maybe"
  echo
  for file in "${fast[@]}"; do
    echo "- \`$file\`: first post, by the fast path; review its wording now"
  done
  for file in "${unreviewed[@]}"; do
    echo "- \`$file\`: **outside the fast path**: only a new incident's first Investigating post may skip review"
  done
  echo
} | tee -a "$summary"
