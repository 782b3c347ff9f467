"""FastAPI's ``jsonable_encoder`` with a fast path, in pure Python: the reference
the compiled ``_encoders`` follows.

``wrap(original)`` returns a function with FastAPI's signature that, called with
every argument at its default on a document made only of exact ``dict`` (exact
str keys), ``list``, ``tuple``, ``str``, ``int``, ``float``, ``bool`` and
``None``, returns what FastAPI's function returns for it in every supported
release: a new tree of dicts and lists (tuples become lists) whose leaves are the
very objects of the document, without the str keys that start with "_sa"
(``sqlalchemy_safe``). For anything else -- another argument, any other type
anywhere (subclasses included), non-str keys, nesting deeper than
``JSONABLE_MAX_DEPTH`` (so cycles too) -- it drops what it built and calls
*original* with the caller's arguments, so the result or the exception is
FastAPI's own. The fast path runs no user code (no ``__eq__``, ``__hash__``,
``__iter__`` of a subclass), so giving up half-way is always safe.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from ._common import JSONABLE_DEFAULTS, JSONABLE_MAX_DEPTH, SQLALCHEMY_PREFIX

#: Types returned as they are.
_LEAVES = frozenset({str, int, float, bool, type(None)})


class _GiveUp(Exception):
    """Something in the document is not for the fast path."""


def _tree(obj: Any, depth: int) -> Any:
    """The new tree for a dict, list or tuple; raises _GiveUp for anything else."""
    if not depth:
        raise _GiveUp
    depth -= 1
    cls = type(obj)
    if cls is dict:
        # A copy takes the leaves along (~15% faster than storing each again);
        # only nested containers are replaced, and "_sa" keys deleted.
        out = obj.copy()
        for key, value in obj.items():
            if type(key) is not str:
                raise _GiveUp
            if key.startswith(SQLALCHEMY_PREFIX):
                del out[key]        # FastAPI never looks at its value
            elif type(value) not in _LEAVES:
                out[key] = _tree(value, depth)
        return out
    if cls is list or cls is tuple:
        return [item if type(item) in _LEAVES else _tree(item, depth) for item in obj]
    raise _GiveUp


#: Where each argument after ``obj`` sits in a call: 1 for ``include``...
_POSITIONS = {name: index for index, (name, _) in enumerate(JSONABLE_DEFAULTS, 1)}


def defaults_only(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """True when ``jsonable_encoder(*args, **kwargs)`` passes ``obj`` by position
    and every other argument it passes is the default itself (``True``,
    ``False``, ``None``: compared by identity). Any other call, invalid ones
    included, is FastAPI's to answer."""
    count = len(args)
    if not 1 <= count <= len(JSONABLE_DEFAULTS) + 1:
        return False
    for value, (_, default) in zip(args[1:], JSONABLE_DEFAULTS):
        if value is not default:
            return False
    for name, value in kwargs.items():
        position = _POSITIONS.get(name)
        # Given by position as well: FastAPI raises TypeError.
        if position is None or position < count or value is not JSONABLE_DEFAULTS[position - 1][1]:
            return False
    return True


def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    """The fast ``jsonable_encoder`` in front of FastAPI's *original*, which
    must have the signature of JSONABLE_DEFAULTS (``_common.jsonable_signature_known``).

    It takes ``*args, **kwargs`` and passes them on untouched, so a call the fast
    path does not take gets FastAPI's own answer, TypeError messages included;
    ``inspect.signature`` shows FastAPI's signature (through ``__wrapped__``)."""

    def jsonable_encoder(*args: Any, **kwargs: Any) -> Any:
        if (len(args) == 1 and not kwargs) or defaults_only(args, kwargs):
            obj = args[0]
            if type(obj) in _LEAVES:
                return obj
            try:
                return _tree(obj, JSONABLE_MAX_DEPTH)
            except (_GiveUp, RecursionError):
                # RecursionError: the caller was already deep; FastAPI's function
                # decides what that gives.
                pass
        return original(*args, **kwargs)

    return functools.update_wrapper(jsonable_encoder, original, WRAPPER_ASSIGNMENTS, ())


#: What ``wrap`` copies from FastAPI's function (``__wrapped__`` is set too, so
#: ``inspect.signature`` shows FastAPI's); ``__module__`` stays fastresp's, so a
#: traceback or repr never passes fastresp's function off as FastAPI's.
WRAPPER_ASSIGNMENTS = ("__name__", "__qualname__", "__doc__")
