"""The seam between the two implementations: the ``from ._X_py import ...``
statements at the top of each .pyx, the one place it is declared.

Each name a compiled module imports from a pure-Python module must exist there
and be public, so renaming it in the reference fails here as well as in the
compiled build. (Whether both implementations give the same results is the
behaviour tests' business, through the ``impl`` fixture.)
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import fastresp

#: ``from ._x_py import a, b as _c`` (parenthesized or not) in a .pyx file.
SEAM = re.compile(r"^from \.(_\w+_py) import (\([^)]*\)|[^\n]*)", re.M)


def _pyx_files() -> list[Path]:
    files = sorted(Path(fastresp.__file__).parent.glob("*.pyx"))
    if not files:
        pytest.skip("no .pyx sources beside the package here")
    return files


def seam(text: str) -> dict[str, list[str]]:
    """pure-Python module -> the names a .pyx imports from it (before any ``as``)."""
    found: dict[str, list[str]] = {}
    for module, names in SEAM.findall(text):
        for item in names.strip("()").split(","):
            if item.split("#")[0].strip():
                found.setdefault(module, []).append(item.split()[0])
    return found


def test_seam_parser_reads_both_forms():
    text = ("from ._a_py import x, y as _y\n"
            "from ._b_py import (\n    Z, w as _w,\n    v,\n)\nfrom . import _common\n")
    assert seam(text) == {"_a_py": ["x", "y"], "_b_py": ["Z", "w", "v"]}


@pytest.mark.parametrize("path", _pyx_files(), ids=lambda path: path.name)
def test_compiled_module_imports_public_names_that_exist(path):
    imports = seam(path.read_text(encoding="utf-8"))
    for module_name, names in imports.items():
        module = importlib.import_module(f"fastresp.{module_name}")
        assert [name for name in names if name.startswith("_")] == [], module_name
        assert [name for name in names if not hasattr(module, name)] == [], module_name


def test_every_compiled_module_with_a_twin_declares_its_seam():
    """A compiled module that has a pure-Python twin takes from it only through
    ``from ._X_py import``: never through the module object."""
    for path in _pyx_files():
        text = path.read_text(encoding="utf-8")
        assert re.findall(r"\b_\w+_py\.\w", text.split('"""', 2)[-1]) == [], path.name
        if (path.parent / f"{path.stem}_py.py").is_file():
            assert f"{path.stem}_py" in seam(text), path.name
