"""The contract of every module notebook in notebooks/ (the runner discovers them)."""

from __future__ import annotations

import json
import re

import pytest

from regiopol.run import runner

MODULES = runner.discover()


def test_there_are_module_notebooks():
    assert [m.name for m in MODULES][:1] == ["00_ueberblick"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_notebook_contract(module):
    nb = json.loads(module.path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first = code[0]
    assert "parameters" in first["metadata"].get("tags", []), "first code cell must be tagged 'parameters'"
    assert "".join(first["source"]).lstrip().startswith('region = "'), "parameters cell must set region"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, "notebooks are committed without outputs"
    assert nb["metadata"].get("regiopol", {}).get("title"), "metadata.regiopol.title names the report"
    assert nb["metadata"]["kernelspec"]["name"] == "regiopol"


def test_module1_notebook_has_a_section_for_every_area_of_regions_toml():
    from regiopol.report import zentrale_funktionen

    module = next(m for m in MODULES if m.name == "01_zentrale_funktionen")
    nb = json.loads(module.path.read_text(encoding="utf-8"))
    calls = [re.fullmatch(r'zentrale_funktionen\.show_area\(region, "(\w+)"\)', "".join(c["source"]).strip())
             for c in nb["cells"] if c["cell_type"] == "code"]
    assert [m.group(1) for m in calls if m] == zentrale_funktionen.areas()
