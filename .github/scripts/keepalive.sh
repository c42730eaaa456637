#!/usr/bin/env bash
# Keep the publish schedule alive. In a public repository GitHub disables scheduled workflows after 60
# days without repository activity, and a quiet status site would silently stop turning maintenance
# windows "in progress" and "completed". publish.yml runs this once a day:
# - it re-enables the workflow through the API (actions: write), which in practice also resets
#   GitHub's inactivity clock; GitHub does not document that, so
# - it warns loudly, in the run's annotations and summary, once the last commit is WARN_AFTER_DAYS old.
# If the API call fails, the job fails, and GitHub notifies about the failed run.
#
# Environment: GH_TOKEN, GITHUB_REPOSITORY and GITHUB_WORKFLOW_REF (set by Actions; without a token it
#   only warns); WARN_AFTER_DAYS (default 45); KEEPALIVE_NOW, seconds since the epoch (default: now);
#   GITHUB_STEP_SUMMARY.
set -euo pipefail
warn_after=${WARN_AFTER_DAYS:-45}
now=${KEEPALIVE_NOW:-$(date +%s)}
last=$(git log -1 --format=%ct HEAD)
age=$(( (now - last) / 86400 ))
echo "the last commit is $age days old"

workflow=${GITHUB_WORKFLOW_REF:-publish.yml}
workflow=${workflow%@*}
workflow=${workflow##*/}
if [[ -n ${GH_TOKEN:-} && -n ${GITHUB_REPOSITORY:-} ]]; then
  gh api --method PUT "repos/$GITHUB_REPOSITORY/actions/workflows/$workflow/enable"
  echo "re-enabled $workflow through the API"
else
  echo "no GH_TOKEN: not calling the API"
fi

if (( age >= warn_after )); then
  message="No commit for $age days. GitHub disables the schedule of $workflow after 60 days without activity in a public repository; then maintenance windows stop changing state on the site. This job re-enables it every day, but to be sure, push any commit (or run the workflow by hand)."
  echo "::warning title=Publish schedule at risk::$message"
  printf '## Publish schedule at risk\n\n%s\n' "$message" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
fi
