"""Plain helpers shared by test modules: ``from helpers import ...``.

tests/ is not a package (keep it free of __init__.py, see test_packaging.py);
pytest's default "prepend" import mode puts this directory on ``sys.path`` when it
loads tests/conftest.py, so the import works for ``pytest``, ``python -m pytest``
and a single test file alike. Fixtures stay in conftest.py.
"""

from __future__ import annotations

import inspect

import starlette.responses


def starlette_takes(method: str, parameter: str = "partitioned") -> bool:
    """Whether the installed starlette's ``Response.<method>`` has that parameter
    (``partitioned``: set_cookie from 0.47, delete_cookie from 1.7). Read from
    starlette itself when a test module is imported, before any install()."""
    function = starlette.responses.Response.__dict__[method]
    return parameter in inspect.signature(function).parameters


#: ``{"partitioned": True}`` where this release's set_cookie / delete_cookie take
#: it, else ``{}``: for workloads that go through every path the release has.
SET_PARTITIONED = {"partitioned": True} if starlette_takes("set_cookie") else {}
DELETE_PARTITIONED = {"partitioned": True} if starlette_takes("delete_cookie") else {}

# ----------------------------------------------------------- str-like values


class Text(str):
    """A str subclass without its own __str__."""


class OwnStr(str):
    """A str subclass whose str() differs from its data.

    The prefix is a single letter on purpose: "s" + data can spell a reserved
    cookie attribute ("ecure" -> "secure", "amesite" -> "samesite") that the data
    itself is not.
    """

    def __str__(self):
        return "s" + str.__str__(self)


class Obj:
    """Not a str at all; str() gives its text."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text

    def __repr__(self):  # short: some tests pass a megabyte of text
        return f"Obj({self.text[:20]!r})"


# ------------------------------------------------------------------ cookies


def added_cookie_header(response, method, kwargs):
    """Call response.<method>(**kwargs); it must append exactly one Set-Cookie
    header and leave the others alone. Returns that header's value."""
    before = list(response.raw_headers)
    getattr(response, method)(**kwargs)
    assert response.raw_headers[:-1] == before
    name, value = response.raw_headers[-1]
    assert name == b"set-cookie"
    return value


def set_cookie_header(response, kwargs):
    """response.set_cookie(**kwargs): the value of the one header it appends."""
    return added_cookie_header(response, "set_cookie", kwargs)


def delete_cookie_header(response, kwargs):
    """response.delete_cookie(**kwargs): the value of the one header it appends."""
    return added_cookie_header(response, "delete_cookie", kwargs)
