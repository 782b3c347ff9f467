"""``python -m fastresp``: which implementation is running, and why.

``python -m fastresp bench [--impl {active,cython,python,both}] [--quick]
[--rounds N] [--json]`` times starlette against fastresp (see fastresp._bench).
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

USAGE = """\
usage: python -m fastresp            show version, implementation and environment
       python -m fastresp bench ...  time starlette against fastresp (--help for options)"""


def info() -> str:
    from ._bench import environment

    env = environment()
    return "\n".join([
        f"fastresp {env['fastresp']}",
        f"implementation: {env['implementation']} ({env['reason']})",
        f"python: {env['python_implementation']} {env['python']}",
        f"starlette: {env['starlette']}",
    ])


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(info())
        return 0
    if args[0] == "bench":
        from ._bench import main as bench

        return bench(args[1:])
    if args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
