"""environment.yml (conda) declares the same dependencies as pyproject.toml."""

from __future__ import annotations

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:\[([^\]]+)\])?\s*([<>=!~][^;]*)?(;.*)?$")


def _pyproject() -> tuple[dict[str, str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted, conditional = {}, set()
    for line in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, extras, version, marker = REQUIREMENT.match(line).groups()
        names = [name.lower()] + [e.strip().lower() for e in (extras or "").split(",") if e.strip()]
        for n in names:
            wanted[n] = (version or "").strip()
            if marker:
                conditional.add(n)
    wanted["python"] = project["requires-python"]
    return wanted, conditional


def _environment() -> dict[str, str]:
    found = {}
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.-]+)\s*([<>=!~].*)?$", line)
        if match and match.group(1) != "pip":
            found[match.group(1).lower()] = (match.group(2) or "").strip()
    return found


def test_same_dependencies_and_minimum_versions():
    wanted, conditional = _pyproject()
    found = _environment()
    assert set(found) - set(wanted) == set(), "environment.yml lists packages pyproject.toml does not"
    assert set(wanted) - set(found) - conditional == set(), "environment.yml lacks packages of pyproject.toml"
    # an extra (dask[distributed]) takes the version of its package
    versions = {n: v for n, v in wanted.items() if v}
    versions["distributed"] = versions.get("distributed") or versions["dask"]
    assert {n: found[n] for n in versions if n in found} == {n: v for n, v in versions.items() if n in found}
