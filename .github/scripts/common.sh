# shellcheck shell=bash disable=SC2034  # BASE_REF and SITE_DIR are read by the scripts that source this
# Shared by the scripts in this folder; sourced, never run on its own.
# SITE_DIR: the site folder (the one with site.yaml), relative to the repository root. Default: the root.
SITE_DIR=${SITE_DIR:-.}

# Sets BASE_REF to $CHANGED_SINCE when that names a commit in this clone, and to "" otherwise: when it
# is unset (a scheduled or manual run), all zeros (the first push of a branch) or unknown (a force
# push, or a shallow clone). With no base, every notice counts as changed.
resolve_changed_since() {
  BASE_REF=""
  local ref=${CHANGED_SINCE:-}
  if [[ -z $ref || $ref =~ ^0+$ ]]; then
    return 0
  fi
  if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
    BASE_REF=$ref
  else
    echo "::notice title=Nothing to compare with::'$ref' is not a commit in this clone (a force push, or a checkout without fetch-depth: 0); every notice counts as changed"
  fi
}
