#!/usr/bin/env bash
# Deploy the built site to Netlify, as a production deploy of plain files (no Netlify build).
# The site is the very bytes deployed to GitHub Pages: publish.yml hands over the Pages artifact.
#
# Environment: NETLIFY_AUTH_TOKEN and NETLIFY_SITE_ID (repository secrets; without them this does
#   nothing); PAGES_ARTIFACT, the artifact.tar of actions/upload-pages-artifact, or else OUT_DIR (default _site).
set -euo pipefail
if [[ -z ${NETLIFY_AUTH_TOKEN:-} || -z ${NETLIFY_SITE_ID:-} ]]; then
  echo "::notice title=Netlify skipped::set the repository secrets NETLIFY_AUTH_TOKEN and NETLIFY_SITE_ID to deploy there"
  exit 0
fi
dir=${OUT_DIR:-_site}
if [[ -n ${PAGES_ARTIFACT:-} ]]; then
  dir=$(mktemp -d)
  tar -xf "$PAGES_ARTIFACT" -C "$dir"
fi
test -f "$dir/index.html" || { echo "::error::no built site in $dir"; exit 1; }
# netlify-cli reads NETLIFY_AUTH_TOKEN and NETLIFY_SITE_ID from the environment.
npx --yes netlify-cli@27 deploy --prod --no-build --dir "$dir" \
  --message "statuspress ${GITHUB_SHA:-local} (${GITHUB_EVENT_NAME:-manual})"
