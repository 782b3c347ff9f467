"""Which implementation to load: the one place that reads the environment.

This module imports nothing from the package, so ``setup.py`` can load it by path
before fastresp (or starlette) is installed.
"""

from __future__ import annotations

import os
import platform
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Mapping

#: Set to any non-empty value to use the pure-Python implementation (and, at build
#: time, to skip compiling the extensions).
NO_EXTENSIONS_VAR = "FASTRESP_NO_EXTENSIONS"

#: The compiled modules (each a .pyx in the package, with a pure-Python ``_py`` twin).
COMPILED_MODULES = ("_headers", "_cookie", "_json", "_encoders", "_asgi")


def extensions_disabled(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the user asked for the pure-Python implementation."""
    return bool(environ.get(NO_EXTENSIONS_VAR, ""))


def why_python(environ: Mapping[str, str] = os.environ) -> str | None:
    """The reason the compiled modules must not be used, or None when they may be."""
    if platform.python_implementation() != "CPython":
        return f"{platform.python_implementation()} runs the pure-Python implementation"
    if extensions_disabled(environ):
        return f"{NO_EXTENSIONS_VAR} is set"
    return None


def import_failure(error: ImportError, module: str) -> str:
    """Why the compiled modules did not import (*error*), in words for
    ``fastresp.REASON``, with what to do about it; *module* is the path of a module
    in the package directory (``_impl.__file__``).
    """
    package = os.path.dirname(os.path.abspath(module))
    built = [name for name in COMPILED_MODULES
             if any(os.path.isfile(os.path.join(package, name + suffix)) for suffix in EXTENSION_SUFFIXES)]
    checkout = os.path.isfile(os.path.join(os.path.dirname(package), "setup.py"))
    if not built and checkout and os.path.isfile(os.path.join(package, COMPILED_MODULES[0] + ".pyx")):
        return (f"running from a source tree without built extensions ({package}): build them in "
                "place with `python setup.py build_ext --inplace`, or install fastresp "
                "(`pip install .`) and run from another directory")
    if not built:
        return (f"the compiled modules are not installed ({package} has none for this "
                "interpreter): this fastresp was built without them")
    return f"the compiled modules failed to import ({error})"
