"""``python -m fastresp``: which implementation is running, and why.

The benchmarks are not part of the package: ``python bench/run.py`` in a
checkout (see CONTRIBUTING.md).
"""

from __future__ import annotations

import platform
import sys
from typing import Optional, Sequence

USAGE = """\
usage: python -m fastresp            show version, implementation and environment
       python -m fastresp --version  print the version only"""


def info() -> str:
    import starlette

    from . import __version__, _impl

    python = sys.version.replace("\n", " ")
    return "\n".join([
        f"fastresp {__version__}",
        f"implementation: {_impl.IMPLEMENTATION} ({_impl.REASON})",
        f"python: {platform.python_implementation()} {python}",
        f"starlette: {starlette.__version__}",
    ])


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(info())
        return 0
    if args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args[0] in ("-V", "--version"):
        from . import __version__

        print(f"fastresp {__version__}")
        return 0
    print(f"python -m fastresp: unknown command {args[0]!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
