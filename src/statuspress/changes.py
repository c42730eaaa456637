"""What a pull request changes: files changed since a git ref, and paths as the repository names them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class ChangesError(Exception):
    """git could not answer: not a repository, or an unknown ref."""


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ChangesError("git is not installed") from None
    if done.returncode:
        raise ChangesError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def repository_root(root: Path) -> Path | None:
    """Return the top folder of the git repository holding `root`, or None outside one."""
    try:
        return Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve()
    except ChangesError:
        return None


def changed_since(root: Path, ref: str) -> set[str]:
    """Return site-relative paths changed since the merge base of `ref` and HEAD, uncommitted and untracked included."""
    top = repository_root(root)
    if top is None:
        raise ChangesError(f"{root} is not in a git repository; changes are found with git")
    try:
        if ref.startswith("-"):
            raise ChangesError(ref)
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ChangesError:
        raise ChangesError(f"unknown git ref '{ref}'; name a branch, tag or commit, and fetch it first"
                           " (e.g. git fetch origin main)") from None
    try:
        base = _git(root, "merge-base", ref, "HEAD").strip()
    except ChangesError:
        raise ChangesError(f"'{ref}' and HEAD have no common history; fetch more of it"
                           " (e.g. actions/checkout with fetch-depth: 0)") from None
    names = _git(top, "diff", "--name-only", "-z", base).split("\0")
    names += _git(top, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    site = root.resolve()
    changed = set()
    for name in filter(None, names):
        path = top / name
        if path.is_relative_to(site):
            changed.add(path.relative_to(site).as_posix())
    return changed


def display_path(relative: str, root: Path, top: Path | None) -> str:
    """Return a site-relative path as the repository at `top` names it (else relative to the current folder)."""
    absolute = (root / relative).resolve()
    if top is not None and absolute.is_relative_to(top):
        return absolute.relative_to(top).as_posix()
    return Path(os.path.relpath(absolute)).as_posix()
