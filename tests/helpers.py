"""Plain helpers shared by test modules: ``from helpers import ...``.

tests/ is not a package (keep it free of __init__.py, see test_packaging.py);
pytest's default "prepend" import mode puts this directory on ``sys.path`` when it
loads tests/conftest.py, so the import works for ``pytest``, ``python -m pytest``
and a single test file alike (and so does ``from oracle import ...``). Fixtures
stay in conftest.py; the starlette oracle, the value classes (``Text``,
``OwnStr``, ``Obj``...) and the hypothesis strategies are in oracle.py.
"""

from __future__ import annotations


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


def skips_type_call(impl, cls):
    """Calling cls goes through impl's own construction, not type.__call__: only
    the compiled implementation has one (``fastresp._slots``)."""
    return impl.compiled and impl.slots.call_without_type_call_is_on(cls)


def items_dispatched_directly(impl, cls):
    """``h[k]``, ``h[k] = v``, ``del h[k]`` and ``k in h`` on cls reach impl's
    operations without CPython's method dispatch: compiled only (``_slots``)."""
    return impl.compiled and impl.slots.dispatch_items_directly_is_on(cls)
