"""The package's modules: the pure model loads no Word code, click stays in the command line, no cycle hides in a
function, and the README's table names every module."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

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
    ("import agreement_engine.validate", {"docx", "docxtpl", "click", "babel"}),
    ("import agreement_engine.i18n", {"click"}),
    ("import agreement_engine.engine", {"click", "docx", "docxtpl", "lxml"}),
    ("import agreement_engine.cli", {"docx", "docxtpl", "lxml", "multiprocessing"}),
])
def test_a_module_loads_only_what_it_needs(statement, absent):
    assert not loaded_after(statement) & absent


def test_check_loads_no_word_code():
    """``check`` answers before the user looks up: it loads neither docx, docxtpl nor lxml (bench/bench.py)."""
    example = Path(agreement_engine.__file__).parent.parent / "examples" / "dak-en-thuis.json"
    statement = ("from agreement_engine.cli import main\n"
                 f"try:\n    main(['check', {str(example)!r}])\nexcept SystemExit as exit:\n    assert exit.code == 0")
    loaded = loaded_after(statement)
    assert "agreement_engine" in loaded and not loaded & {"docx", "docxtpl", "lxml"}


def test_check_of_a_valid_answer_set_loads_neither_jsonschema_nor_yaml_once_the_library_is_cached():
    """With the library in the compiled-library cache (the first run puts it there), ``check`` of a valid answer set
    needs no YAML and gets its schema verdict from jsonschema_rs; jsonschema is loaded only to explain an error."""
    example = Path(agreement_engine.__file__).parent.parent / "examples" / "dak-en-thuis.json"
    statement = ("from agreement_engine.cli import main\n"
                 f"try:\n    main(['check', {str(example)!r}])\nexcept SystemExit as exit:\n    assert exit.code == 0")
    loaded_after(statement)  # fills the cache when this test runs first
    loaded = loaded_after(statement)
    assert "jsonschema_rs" in loaded and not loaded & {"jsonschema", "referencing", "yaml", "babel"}


def test_the_package_names_load_when_first_used():
    assert agreement_engine.__version__ == __version__
    assert agreement_engine.check.__module__ == "agreement_engine.api"
    assert "Engine" in dir(agreement_engine)
    with pytest.raises(AttributeError):
        agreement_engine.nonsense  # noqa: B018


def _imports_inside_functions(path) -> list[tuple[int, str]]:
    """Return (line, module) of every import of a module of this package made inside a function of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(node.lineno, name) for name in names if name.split(".")[0] == "agreement_engine"]
    return found


def test_no_module_hides_an_import_cycle_in_a_function():
    """An import of the package's own modules inside a function hides a cycle; only the lazy package
    ``__init__`` (PEP 562) loads a module when a name is first used."""
    package = Path(agreement_engine.__file__).parent
    late = {f"{path.relative_to(package)}:{line}": name for path in sorted(package.rglob("*.py"))
            if path.name != "__init__.py" or path.parent != package
            for line, name in _imports_inside_functions(path)}
    assert late == {}


def test_the_readme_module_table_names_every_module_and_no_other():
    package = Path(agreement_engine.__file__).parent
    readme = (package.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Opbouw\n", 1)[1]
    table = next(block for block in section.split("\n\n") if block.startswith("| module |"))
    named = set()
    for row in table.splitlines()[2:]:
        first, text = row.split("|")[1:3]
        folder = first.strip().strip("`") if first.strip().endswith("/`") else ""
        for name in re.findall(r"`([\w/]+\.py)`", folder and text or first):
            named.add(folder + name)
    modules = {str(path.relative_to(package)) for path in package.rglob("*.py")}
    assert named == modules
