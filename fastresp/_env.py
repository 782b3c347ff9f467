"""Which implementation to load: the one place that reads the environment.

This module imports nothing from the package, so ``setup.py`` can load it by path
before fastresp (or starlette) is installed.
"""

from __future__ import annotations

import os
import platform
import warnings
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Mapping

#: Set to any non-empty value to use the pure-Python implementation (and, at build
#: time, to skip compiling the extensions).
NO_EXTENSIONS_VAR = "FASTRESP_NO_EXTENSIONS"

#: Set to any non-empty value to silence the warning of a build without a compiler.
QUIET_VAR = "FASTRESP_QUIET"

#: The compiled modules (each a .pyx in the package, with a pure-Python ``_py`` twin).
COMPILED_MODULES = ("_headers", "_cookie", "_json", "_encoders", "_asgi", "_request", "_slots", "_wire")

#: Written into the built package by setup.py when compiling failed and the
#: package was built without its compiled modules; holds the error, in words.
NO_COMPILER_MARKER = "_no_compiler.txt"


class NoCompilerWarning(RuntimeWarning):
    """fastresp was installed without its compiled modules because compiling them
    failed (no C compiler, no Python headers): it runs the slower pure-Python
    implementation. Silenced by FASTRESP_QUIET=1 or the usual warnings filters
    (the message starts with "fastresp was built without a C compiler")."""


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


def import_failure(error: ImportError, module: str, environ: Mapping[str, str] = os.environ) -> str:
    """Why the compiled modules did not import (*error*), in words for
    ``fastresp.REASON``, with what to do about it; *module* is the path of a module
    in the package directory (``_impl.__file__``).

    A build that fell back for want of a compiler (setup.py left its marker) also
    warns, once per process since this runs at import, unless QUIET_VAR is set.
    """
    package = os.path.dirname(os.path.abspath(module))
    marker = os.path.join(package, NO_COMPILER_MARKER)
    if os.path.isfile(marker):
        with open(marker, encoding="utf-8") as file:
            why = " ".join(file.read().split()) or "compiling failed"
        if len(why) > 200:     # a compiler's whole command line
            why = why[:197] + "..."
        reason = f"built without a C compiler ({why})"
        if not environ.get(QUIET_VAR, ""):
            warnings.warn(
                f"fastresp was built without a C compiler ({why}) and runs its pure-Python "
                "implementation: the same output, slower. Install a C compiler and the Python "
                "headers, then reinstall with pip install --no-cache-dir --force-reinstall, to "
                f"get the compiled modules; {QUIET_VAR}=1 silences this warning.",
                # The user's import: past this function, _impl._choose, _impl and fastresp/__init__
                # (warnings skips the import machinery's frames).
                NoCompilerWarning, stacklevel=5)
        return reason
    built = [name for name in COMPILED_MODULES
             if any(os.path.isfile(os.path.join(package, name + suffix)) for suffix in EXTENSION_SUFFIXES)]
    checkout = os.path.isfile(os.path.join(os.path.dirname(package), "setup.py"))
    if not built and checkout and os.path.isfile(os.path.join(package, COMPILED_MODULES[0] + ".pyx")):
        return (f"running from a source tree without built extensions ({package}): build them in "
                "place with `python setup.py build_ext --inplace` (Cython and setuptools installed), "
                "or install fastresp (`pip install .`) and run from another directory")
    if not built:
        return (f"the compiled modules are not installed ({package} has none for this "
                "interpreter): this fastresp was built without them")
    return f"the compiled modules failed to import ({error})"
