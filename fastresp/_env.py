"""Which implementation to load: the one place that reads the environment.

This module imports nothing from the package, so ``setup.py`` can load it by path
before fastresp (or starlette) is installed.
"""

from __future__ import annotations

import os
import platform
from typing import Mapping

#: Set to any non-empty value to use the pure-Python implementation (and, at build
#: time, to skip compiling the extensions).
NO_EXTENSIONS_VAR = "FASTRESP_NO_EXTENSIONS"


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
