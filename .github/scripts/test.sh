#!/usr/bin/env bash
# The project's test suite, as the README gives it. A status site made from the template may delete
# tests/ (they test statuspress itself, against the example notices); then there is nothing to run.
set -euo pipefail
if [[ ! -d tests ]]; then
  echo "::notice title=No tests::this repository has no tests/ folder; nothing to run"
  exit 0
fi
python -m pip install --disable-pip-version-check --quiet -e ".[test]"
python -m pytest
