"""Build fastresp's compiled modules, or install the pure-Python package without them.

The extensions are skipped when FASTRESP_NO_EXTENSIONS is set (parsed by
fastresp/_env.py, the same code the runtime uses), on interpreters other than
CPython, and when compiling fails (no C compiler): then the install still
succeeds, with one warning, and fastresp runs its pure-Python implementation.
"""

import importlib.util
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_env():
    spec = importlib.util.spec_from_file_location("_fastresp_env", os.path.join(HERE, "fastresp", "_env.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Every Cython directive, in one place.
DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
    "embedsignature": True,
    "binding": True,
}

WARNING = """
********************************************************************************
WARNING: fastresp's compiled modules could not be built ({error}).
fastresp is installed without them and will run its pure-Python implementation,
which gives the same output, only slower. Install a C compiler and the Python
headers, then reinstall, to get the compiled speed.
********************************************************************************
"""


class OptionalBuildExt(build_ext):
    """build_ext that falls back to pure Python instead of failing the install."""

    def run(self):
        try:
            super().run()
        except Exception as error:  # no compiler, no headers, Cython missing...
            self._skip(error)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as error:
            self._skip(error)

    def _skip(self, error):
        sys.stderr.write(WARNING.format(error=error))
        # Nothing compiled is installed, so nothing can shadow the fallback.
        self.extensions = []


def extensions():
    reason = _load_env().why_python()
    if reason is not None:
        sys.stderr.write(f"fastresp: building without compiled modules: {reason}\n")
        return []
    try:
        from Cython.Build import cythonize
    except ImportError as error:
        sys.stderr.write(WARNING.format(error=error))
        return []
    modules = [Extension(f"fastresp.{name}", [f"fastresp/{name}.pyx"]) for name in ("_headers", "_cookie")]
    return cythonize(modules, compiler_directives=DIRECTIVES)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
