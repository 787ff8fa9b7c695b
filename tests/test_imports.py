"""The package's import graph: the pure model loads no Word code, click stays in the command line."""
from __future__ import annotations

import subprocess
import sys

import pytest

import agreement_engine
from agreement_engine.version import __version__


def loaded_after(statement: str) -> set[str]:
    """Return the top-level modules a fresh interpreter has loaded after running ``statement``."""
    script = f"import sys\n{statement}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    return set(result.stdout.split())


@pytest.mark.parametrize("statement, absent", [
    ("import agreement_engine.model", {"docx", "docxtpl", "click", "lxml", "jinja2"}),
    ("import agreement_engine", {"docx", "docxtpl", "click"}),
    ("import agreement_engine.validate", {"docx", "docxtpl", "click"}),
    ("import agreement_engine.i18n", {"click"}),
    ("import agreement_engine.engine", {"click"}),
])
def test_a_module_loads_only_what_it_needs(statement, absent):
    assert not loaded_after(statement) & absent


def test_the_package_names_load_when_first_used():
    assert agreement_engine.__version__ == __version__
    assert agreement_engine.check.__module__ == "agreement_engine.api"
    assert "Engine" in dir(agreement_engine)
    with pytest.raises(AttributeError):
        agreement_engine.nonsense  # noqa: B018
