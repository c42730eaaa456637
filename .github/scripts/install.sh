#!/usr/bin/env bash
# Install statuspress from this repository: the generator is versioned together with the site, so a
# pull request that changes both is checked with the code it brings.
set -euo pipefail
python -m pip install --disable-pip-version-check --quiet .
statuspress --version
