"""`_headers` read as Netlify and Cloudflare Pages read it: for the header tests and the browser tests."""

from __future__ import annotations

import re

Rules = list[tuple[str, dict[str, str]]]


def header_rules(data: bytes) -> Rules:
    """Parse `_headers`: a path pattern, then indented `Name: value` lines; `#` starts a comment."""
    rules: Rules = []
    for line in data.decode("ascii").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/"), line
            rules.append((line, {}))
        else:
            name, _, value = line.strip().partition(":")
            assert rules and name and value.strip(), line
            assert name not in rules[-1][1], f"{name} twice in one rule"
            rules[-1][1][name] = value.strip()
    return rules


def matches(pattern: str, path: str) -> bool:
    """A `*` matches anything, slashes included (a splat); everything else matches itself."""
    regex = "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern))
    return re.fullmatch(regex, path) is not None


def headers_for(rules: Rules, path: str) -> dict[str, list[str]]:
    """Every value each header gets at `path`, one per matching rule (so two values is a conflict)."""
    found: dict[str, list[str]] = {}
    for pattern, headers in rules:
        if matches(pattern, path):
            for name, value in headers.items():
                found.setdefault(name, []).append(value)
    return found


def request_paths(name: str) -> list[str]:
    """The addresses a built file is served at: `incidents/x/index.html` at `/incidents/x/` and the full name."""
    paths = ["/" + name]
    if name == "index.html" or name.endswith("/index.html"):
        paths.insert(0, "/" + name.removesuffix("index.html"))
    return paths


def served_headers(rules: Rules, path: str) -> dict[str, str]:
    """The headers a host sends for `path` (a query or fragment is ignored), each value joined as Cloudflare does."""
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    return {name: ", ".join(values) for name, values in headers_for(rules, path).items()}
