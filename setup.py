"""Build fastresp's compiled modules, or install the pure-Python package without them.

The extensions are skipped when FASTRESP_NO_EXTENSIONS is set (parsed by
fastresp/_env.py, the same code the runtime uses), on interpreters other than
CPython, and when compiling fails (no C compiler, no Python headers, no Cython):
then the install still succeeds, with one warning, and fastresp runs its
pure-Python implementation.

The .pyx files are turned into C only when the extensions are built (inside
build_ext), never when an sdist or metadata is made: the sdist ships the .pyx
and .pxd sources and no generated C. Each .pyx states its Cython directives in
its first lines; none are added here.

pip shows a build's output only with -v (or when the build fails), so the warning
is easy to miss: ``python -m fastresp`` tells afterwards which implementation
runs and why.
"""

import importlib.util
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ("_headers", "_cookie", "_json", "_encoders", "_asgi", "_wire")


def _load_env():
    spec = importlib.util.spec_from_file_location("_fastresp_env", os.path.join(HERE, "fastresp", "_env.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WARNING = """
********************************************************************************
WARNING: fastresp's compiled modules could not be built ({error}).
fastresp is installed without them and will run its pure-Python implementation,
which gives the same output, only slower. Install a C compiler and the Python
headers, then reinstall (pip install --no-cache-dir --force-reinstall ...), to
get the compiled speed.
********************************************************************************
"""


class OptionalBuildExt(build_ext):
    """build_ext that falls back to pure Python instead of failing the install.

    All or nothing: the first failure stops the build, removes what this run
    already compiled and prints the warning once.
    """

    def initialize_options(self):
        super().initialize_options()
        self._failed = False
        self._built = []

    def run(self):
        try:
            super().run()
        except Exception as error:  # no compiler at all, copy to source failed...
            self._skip(error)

    def build_extension(self, ext):
        if self._failed:
            return
        try:
            pyx = [source for source in ext.sources if source.endswith(".pyx")]
            if pyx:
                try:
                    from Cython.Build import cythonize
                except ImportError as error:
                    raise RuntimeError(f"Cython is not installed: {error}") from error
                # The Cython directives are stated at the top of each .pyx file.
                ext.sources = cythonize([ext], force=self.force, quiet=not self.verbose)[0].sources
            super().build_extension(ext)
        except Exception as error:
            self._skip(error)
        else:
            self._built.append(self.get_ext_fullpath(ext.name))

    def _skip(self, error):
        if self._failed:
            return
        self._failed = True
        sys.stderr.write(WARNING.format(error=str(error).strip() or type(error).__name__))
        sys.stderr.flush()
        # Nothing compiled is installed, so nothing can shadow the fallback and the
        # package is never half compiled.
        for path in self._built:
            if os.path.exists(path):
                os.remove(path)
        self._built = []
        self.extensions = []


def extensions():
    reason = _load_env().why_python()
    if reason is not None:
        sys.stderr.write(f"fastresp: building without compiled modules: {reason}\n")
        return []
    modules = []
    for name in MODULES:
        source = f"fastresp/{name}.pyx"
        module = Extension(f"fastresp.{name}", [source])
        # setuptools swaps .pyx for a .c that is not shipped when Cython is missing
        # at this point; build_extension cythonizes (or warns) itself.
        module.sources = [source]
        modules.append(module)
    return modules


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
