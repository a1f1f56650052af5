"""The examples in the docstrings (``>>>``) and the README's Python snippets run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import regiopol

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(m.name for m in pkgutil.walk_packages(regiopol.__path__, "regiopol.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"


def _readme_snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("index", range(len(_readme_snippets())))
def test_readme_python_snippets(index):
    code = _readme_snippets()[index]
    try:
        exec(compile(code, f"README.md snippet {index + 1}", "exec"), {})
    except ModuleNotFoundError as err:  # a snippet for an optional cluster package
        if err.name.startswith("regiopol"):
            raise
        pytest.skip(f"needs {err.name}")


def test_the_package_lists_its_layers_and_entry_points():
    import regiopol as rp

    for name in ("data", "regions", "methods", "report", "region", "regions_list", "clear_caches"):
        assert name in dir(rp)
    assert rp.region("trier").kreise[0] == "07211"
    assert [r.slug for r in rp.regions_list()][:2] == ["bielefeld", "erfurt"]
    assert rp.methods.__name__ == "regiopol.methods" and rp.report.__name__ == "regiopol.report"
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        rp.nonsense  # noqa: B018 – the attribute access is what is tested


@pytest.mark.parametrize("name", MODULES)
def test_every_public_module_declares_what_it_offers(name):
    module = importlib.import_module(name)
    defined = {n for n, v in vars(module).items() if not n.startswith("_") and callable(v)
               and getattr(v, "__module__", None) == name}
    if not defined:
        return
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    assert all(hasattr(module, n) for n in module.__all__), f"{name}.__all__ names what it does not define"
    assert defined <= set(module.__all__), \
        f"{name}: public but not in __all__: {sorted(defined - set(module.__all__))}"
