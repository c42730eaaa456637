#!/usr/bin/env bash
# Which hosts besides GitHub Pages are configured? publish.yml passes whether the secrets are set (as
# true or false; never the secrets themselves), and deploys only to the configured hosts: a job whose
# secrets are missing is skipped, not failed. Writes netlify=true|false to $GITHUB_OUTPUT.
#
# Environment: NETLIFY_CONFIGURED (true when the secrets NETLIFY_AUTH_TOKEN and NETLIFY_SITE_ID are set).
set -euo pipefail
netlify=false
if [[ ${NETLIFY_CONFIGURED:-} == true ]]; then
  netlify=true
  echo "Netlify: configured; the netlify job deploys there too"
else
  echo "Netlify: not configured (repository secrets NETLIFY_AUTH_TOKEN and NETLIFY_SITE_ID); skipping it"
fi
echo "netlify=$netlify" >> "${GITHUB_OUTPUT:-/dev/null}"
