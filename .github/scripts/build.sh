#!/usr/bin/env bash
# Build the site into OUT_DIR at the current time: no --now, so a scheduled run turns a maintenance
# window "in progress" and "completed" without a commit.
#
# Environment: SITE_DIR (default .); OUT_DIR (default _site, relative to the repository root).
set -euo pipefail
source "$(dirname "$0")/common.sh"
OUT_DIR=${OUT_DIR:-_site}
statuspress build --site "$SITE_DIR" --out "$OUT_DIR"
