"""The one starlette oracle of fastresp's tests, and the hypothesis strategies.

Imported (never copied) by the test suite (``tests/conftest.py`` and the test
modules: ``from oracle import ...``; pytest puts tests/ on ``sys.path``), by the
long fuzz run (``tests/fuzz.py``) and by the memcheck workload
(``tests/memcheck_workload.py``): run as scripts, their own directory is on
``sys.path`` (never the repository root), so the fastresp under test is the
installed one.

* ``ORACLE``: starlette's response classes with the methods they had before any
  ``fastresp.install()``, and ``ORACLE_SIDE``: calls on them, with
  ``partitioned=True`` as starlette writes it on Python 3.14 (emulated below 3.14
  by ``_set_cookie_314``: the one emulation).
* The contract on top of starlette: ``COOKIE_CONTROL`` and ``HEADER_FORBIDDEN``
  (defined here once, for every test; fastresp's own copy is
  ``fastresp._common``), ``expected_cookie`` / ``expected_response`` (starlette's
  outcome and the exception types the hardening may or must raise instead) and
  ``judge`` (raises ``Mismatch`` unless an outcome is allowed).
* ``check_cookie`` / ``check_response``: one call on an implementation, judged
  against the oracle and compared exactly with the reference implementations.
* Cases: JSON-able dicts ``{"target": "set_cookie", "now": 1700000000.25,
  "args": {...}}`` whose argument values are *nodes*: JSON natives (None, bool,
  int, str) or tagged dicts ``{"$": tag, ...}`` for what JSON cannot hold
  (floats, bytes, str subclasses, objects with their own ``__str__``, datetimes,
  header mappings...). ``decode`` turns a node into a fresh live value, so a
  failing case saved as JSON (tests/regressions/) replays exactly (lone
  surrogates survive as ``{"$": "cp"}`` code points). ``check(case, impls,
  ORACLE_SIDE)`` runs a case on every implementation (twice each: the second run
  meets warm caches) and on starlette, and raises ``Mismatch`` when a run differs
  from its first, a refused call changed ``raw_headers`` or an accepted cookie
  call did more than append one header, the implementations differ at all
  (bytes, or exception type and message), ``cookie_value`` differs from the
  header ``set_cookie`` appends, or an implementation differs from starlette
  beyond the hardening rules.
* ``strategies()``: the hypothesis strategies of cases, one per target
  (hypothesis is imported only there: the replay needs none).

Runs on CPython and PyPy (no syntax newer than 3.9).
"""

from __future__ import annotations

import http.cookies
import inspect
import json
import os
import string
import sys
import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import format_datetime
from http.cookies import CookieError, Morsel, SimpleCookie
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Tuple

import starlette.datastructures
import starlette.responses
from starlette.datastructures import URL, Headers, MutableHeaders

from fastresp._common import SameSiteError

# ================================================================== contract

#: Control characters the hardening refuses in the str() of every written cookie
#: field (RFC 6265 CTLs: 0x00-0x1F and 0x7F).
COOKIE_CONTROL = frozenset([chr(code) for code in range(0x20)] + ["\x7f"])
#: Characters the hardening refuses in header names and values, media_type and
#: charset: CR, LF and NUL.
HEADER_FORBIDDEN = frozenset("\r\n\0")

# ===================================================================== values


class Text(str):
    """A str subclass without its own __str__."""


class OwnStr(str):
    """A str subclass whose str() differs from its data: ``shown``, by default
    "s" + data. The prefix is a single letter on purpose: "s" + data can spell a
    reserved cookie attribute ("ecure" -> "secure") that the data itself is not.
    ``shown`` may be anything, even a non-str (then str() raises TypeError)."""

    def __new__(cls, data: str = "", shown: Any = None) -> "OwnStr":
        value = super().__new__(cls, data)
        value.shown = "s" + data if shown is None else shown
        return value

    def __str__(self) -> Any:
        return self.shown


class Shouty(str):
    """A str subclass whose lower() shouts: callers must call it as starlette does."""

    def lower(self) -> str:  # type: ignore[override]
        return str.upper(self)


class Obj:
    """Not a str; str() gives its text."""

    def __init__(self, text: Any) -> None:
        self.text = text

    def __str__(self) -> Any:
        return self.text

    def __repr__(self) -> str:  # short: some tests pass a megabyte of text
        return "Obj(%r)" % (self.text[:20] if isinstance(self.text, str) else self.text,)


class BadStr:
    """str() raises."""

    def __str__(self) -> str:
        raise RuntimeError("BadStr.__str__")

    def __repr__(self) -> str:
        return "BadStr()"


class BadBool:
    """Truth testing raises (as it does for a numpy array)."""

    def __bool__(self) -> bool:
        raise RuntimeError("BadBool.__bool__")

    def __str__(self) -> str:
        return "badbool"

    def __repr__(self) -> str:
        return "BadBool()"


class BadEq:
    """``== ""`` raises."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("BadEq.__eq__")

    __hash__ = object.__hash__

    def __str__(self) -> str:
        return "badeq"

    def __repr__(self) -> str:
        return "BadEq()"


class MyInt(int):
    """An int subclass with its own __str__ (SimpleCookie uses %d for ints)."""

    def __str__(self) -> str:
        return "MyInt"

    def __repr__(self) -> str:
        return "MyInt(%d)" % int(self)


class SubDatetime(datetime):
    """A datetime subclass."""


class CustomUTC(tzinfo):
    """A zero-offset tzinfo that is not ``timezone.utc`` (format_datetime refuses it)."""

    def utcoffset(self, dt: object) -> timedelta:
        return timedelta(0)

    def dst(self, dt: object) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: object) -> str:
        return "UTC"

    def __repr__(self) -> str:
        return "CustomUTC()"


class PairsMapping(Mapping):
    """A Mapping that is not a dict, iterating in reverse insertion order."""

    def __init__(self, pairs: List[Tuple[Any, Any]]) -> None:
        self._data = dict(pairs)

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Any:
        return iter(list(self._data)[::-1])

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return "PairsMapping(%r)" % (self._data,)


class DictSub(dict):
    """A dict subclass (not the compiled fast path's exact dict)."""


class ListSub(list):
    """A list subclass (not the compiled fast path's exact list)."""


class TupleSub(tuple):
    """A tuple subclass (not the compiled fast path's exact tuple)."""


# ===================================================================== codec


def _latin1_bytes(text: Any) -> bytes:
    return str(text).encode("latin-1", "replace")


def decode(node: Any) -> Any:
    """A fresh live value for a node."""
    if node is None or isinstance(node, (bool, int, str)):
        return node
    if isinstance(node, list):
        return [decode(item) for item in node]
    tag = node["$"]
    if tag == "cp":
        return "".join(map(chr, node["v"]))
    if tag == "float":
        return float(node["v"])
    if tag == "rep":
        return decode(node["v"]) * node["n"]
    if tag == "cat":
        return "".join(decode(part) for part in node["v"])
    if tag == "bytes":
        return bytes.fromhex(node["v"])
    if tag == "bytearray":
        return bytearray.fromhex(node["v"])
    if tag == "memoryview":
        return memoryview(bytes.fromhex(node["v"]))[::node.get("step", 1)]
    if tag == "Text":
        return Text(decode(node["v"]))
    if tag == "OwnStr":
        return OwnStr(decode(node["v"]), decode(node["s"]) if "s" in node else None)
    if tag == "Shouty":
        return Shouty(decode(node["v"]))
    if tag == "Obj":
        return Obj(decode(node["s"]))
    if tag == "BadStr":
        return BadStr()
    if tag == "BadBool":
        return BadBool()
    if tag == "BadEq":
        return BadEq()
    if tag == "MyInt":
        return MyInt(node["v"])
    if tag == "URL":
        return URL(decode(node["v"]))
    if tag == "datetime":
        return _datetime(node)
    if tag == "list":
        return [decode(item) for item in node["v"]]
    if tag in ("dict", "DictSub", "Pairs"):
        pairs = [(decode(key), decode(value)) for key, value in node["items"]]
        if tag == "Pairs":
            return PairsMapping(pairs)
        return (DictSub if tag == "DictSub" else dict)(pairs)
    if tag in ("Headers", "MutableHeaders"):
        raw = [(_latin1_bytes(decode(key)).lower(), _latin1_bytes(decode(value)))
               for key, value in node["items"]]
        return (Headers if tag == "Headers" else MutableHeaders)(raw=raw)
    raise ValueError("unknown node tag %r" % (tag,))


def _datetime(node: Dict[str, Any]) -> datetime:
    zone = node.get("tz")
    if zone is None:
        tz = None
    elif zone == "utc":
        tz = timezone.utc
    elif zone == "zero":
        tz = timezone(timedelta(0), "Z")  # == timezone.utc, but not the same object
    elif zone == "custom":
        tz = CustomUTC()
    else:
        tz = timezone(timedelta(minutes=zone))
    cls = SubDatetime if node.get("sub") else datetime
    return cls(*node["v"], tzinfo=tz)


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def protect(node: Any) -> Any:
    """The node with every str holding a surrogate spelled as code points
    (``{"$": "cp", "v": [...]}``): JSON would join a high and a low surrogate
    escape into one astral character on the way back."""
    if isinstance(node, str):
        return {"$": "cp", "v": [ord(char) for char in node]} if _has_surrogate(node) else node
    if isinstance(node, list):
        return [protect(item) for item in node]
    if isinstance(node, dict):
        return {key: protect(value) for key, value in node.items()}
    return node


def dumps(case: Dict[str, Any]) -> str:
    """A case as ASCII JSON text that loads back to the same case."""
    return json.dumps(protect(case), ensure_ascii=True, sort_keys=True)


# ================================================================= outcomes


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Tuple:
    """("ok", value) or ("err", exception type, str(exception))."""
    try:
        return ("ok", function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every exception is a result
        return ("err", type(error), str(error))


def snapshot(response: Any) -> Tuple:
    """What a response is on the wire: body type, body bytes, raw headers and
    repr(status_code) (so 200, 200.0 and True differ)."""
    body = response.body
    return (type(body).__name__, bytes(body), list(response.raw_headers),
            repr(response.status_code))


class Run(SimpleNamespace):
    """One run of a call on one side: outcome, and whether state stayed sound."""


# ===================================================================== sides


# A side is anything with ``name``, ``classes`` and ``cookie``: a fastresp
# implementation (``fastresp._impl.Implementation``; with a cookie module,
# ``cookie_value`` is checked against the header ``set_cookie`` appends), or the
# starlette side below, whose ``cookie_call`` stands in for calling the method.


def _cookie_call(method: str, response: Any, kwargs: Dict[str, Any]) -> None:
    getattr(response, method)(**kwargs)


# -- starlette as it is without fastresp ---------------------------------------

#: Every starlette response class's own attributes as they were when this module
#: was first imported, before any install(): what uninstall() must restore, and
#: what the oracle classes are built from.
STARLETTE_CLASSES = tuple(
    obj for obj in vars(starlette.responses).values()
    if isinstance(obj, type) and issubclass(obj, starlette.responses.Response)
) + (starlette.datastructures.MutableHeaders,)
ORIGINAL_DICTS = {cls: dict(vars(cls)) for cls in STARLETTE_CLASSES}
assert ORIGINAL_DICTS[starlette.responses.Response]["__init__"].__module__ == "starlette.responses", (
    "fastresp was installed before the oracle was imported: starlette is no oracle now")

_ORACLE_METHODS = ("__init__", "render", "init_headers", "set_cookie", "delete_cookie",
                   "headers", "__call__")


def _pristine(name: str, *bases: type) -> type:
    original = ORIGINAL_DICTS[getattr(starlette.responses, name)]
    methods = {key: original[key] for key in _ORACLE_METHODS if key in original}
    return type(name, bases, {**methods, "__module__": "starlette_oracle"})


def _make_oracle() -> SimpleNamespace:
    sr = starlette.responses
    response = _pristine("Response", sr.Response)
    return SimpleNamespace(
        Response=response,
        HTMLResponse=_pristine("HTMLResponse", sr.HTMLResponse, response),
        PlainTextResponse=_pristine("PlainTextResponse", sr.PlainTextResponse, response),
        JSONResponse=_pristine("JSONResponse", sr.JSONResponse, response),
        RedirectResponse=_pristine("RedirectResponse", sr.RedirectResponse, response),
    )


#: starlette's five classes with the methods they had before any install(), so
#: the oracle stays starlette even while fastresp is installed.
ORACLE = _make_oracle()


def starlette_parameters(method: str) -> List[str]:
    """The parameter names of the installed starlette's Response.<method>, self
    left out (set_cookie takes partitioned from 0.47, delete_cookie from 1.7)."""
    return list(inspect.signature(getattr(ORACLE.Response, method)).parameters)[1:]


def starlette_takes(method: str, parameter: str = "partitioned") -> bool:
    """Whether the installed starlette's Response.<method> has that parameter."""
    return parameter in starlette_parameters(method)


#: ``{"partitioned": True}`` where this release's set_cookie / delete_cookie take
#: it, else ``{}``: for workloads that go through every path the release has.
SET_PARTITIONED = {"partitioned": True} if starlette_takes("set_cookie") else {}
DELETE_PARTITIONED = {"partitioned": True} if starlette_takes("delete_cookie") else {}


# -- partitioned=True as on Python 3.14 ----------------------------------------


class _Morsel314(Morsel):
    """Python 3.14's Morsel: "partitioned" is a flag attribute written "Partitioned".
    The cookie name rules stay this interpreter's (fastresp follows those)."""

    _reserved = {**Morsel._reserved, "partitioned": "Partitioned"}  # type: ignore[attr-defined]
    _flags = set(Morsel._flags) | {"partitioned"}  # type: ignore[attr-defined]

    def set(self, key: Any, val: Any, coded_val: Any) -> None:
        if key.lower() in Morsel._reserved:  # type: ignore[attr-defined]
            raise CookieError("Attempt to set a reserved key %r" % (key,))
        if not http.cookies._is_legal_key(key):  # type: ignore[attr-defined]
            raise CookieError("Illegal key %r" % (key,))
        self._key = key
        self._value = val
        self._coded_value = coded_val


class _Cookie314(SimpleCookie):
    def __setitem__(self, key: Any, value: Any) -> None:
        rval, cval = self.value_encode(value)
        morsel = self.get(key, _Morsel314())
        morsel.set(key, rval, cval)
        dict.__setitem__(self, key, morsel)


def _set_cookie_314(self: Any, key: Any, value: Any = "", max_age: Any = None,
                    expires: Any = None, path: Any = "/", domain: Any = None,
                    secure: Any = False, httponly: Any = False, samesite: Any = "lax",
                    partitioned: Any = False) -> None:
    """starlette's set_cookie as it runs on Python 3.14 (where it accepts
    partitioned), step for step."""
    cookie = _Cookie314()
    cookie[key] = value
    if max_age is not None:
        cookie[key]["max-age"] = max_age
    if expires is not None:
        if isinstance(expires, datetime):
            cookie[key]["expires"] = format_datetime(expires, usegmt=True)
        else:
            cookie[key]["expires"] = expires
    if path is not None:
        cookie[key]["path"] = path
    if domain is not None:
        cookie[key]["domain"] = domain
    if secure:
        cookie[key]["secure"] = True
    if httponly:
        cookie[key]["httponly"] = True
    if samesite is not None:
        if samesite.lower() not in ["strict", "lax", "none"]:
            raise AssertionError("samesite must be either 'strict', 'lax' or 'none'")
        cookie[key]["samesite"] = samesite
    if partitioned:
        cookie[key]["partitioned"] = True
    cookie_val = cookie.output(header="").strip()
    self.raw_headers.append((b"set-cookie", cookie_val.encode("latin-1")))


def _truthy(value: Any) -> Optional[bool]:
    try:
        return bool(value)
    except Exception:  # noqa: BLE001 - starlette raises it itself
        return None


def oracle_side(classes: Any = ORACLE) -> SimpleNamespace:
    """The starlette side, over classes with starlette's own methods."""
    starlette_set = classes.Response.set_cookie
    starlette_delete = classes.Response.delete_cookie
    # Releases without the argument (set_cookie before 0.47, delete_cookie before
    # 1.7) raise their TypeError for it, and so must fastresp.
    set_has_partitioned = "partitioned" in inspect.signature(starlette_set).parameters
    delete_has_partitioned = "partitioned" in inspect.signature(starlette_delete).parameters
    native_partitioned = sys.version_info >= (3, 14)

    def set_cookie(response: Any, kwargs: Dict[str, Any]) -> None:
        if (set_has_partitioned and not native_partitioned
                and _truthy(kwargs.get("partitioned", False))):
            _set_cookie_314(response, **kwargs)
        else:
            starlette_set(response, **kwargs)

    def cookie_call(method: str, response: Any, kwargs: Dict[str, Any]) -> None:
        if method == "set_cookie":
            return set_cookie(response, kwargs)
        if ("partitioned" in kwargs and delete_has_partitioned and not native_partitioned
                and _truthy(kwargs["partitioned"])):
            # starlette's delete_cookie is set_cookie(key, max_age=0, expires=0, ...).
            rest = dict(kwargs)
            key = rest.pop("key")
            return set_cookie(response, {"key": key, "max_age": 0, "expires": 0, **rest})
        return starlette_delete(response, **kwargs)

    return SimpleNamespace(name="starlette", classes=classes, cookie=None, cookie_call=cookie_call)


#: The starlette side every check compares with.
ORACLE_SIDE = oracle_side(ORACLE)


# ===================================================================== runs


def cookie_run(side: Any, method: str, kwargs: Dict[str, Any],
               again: Optional[Dict[str, Any]] = None) -> Run:
    """Response.<method>(**kwargs) on a fresh response of side that already has
    headers: ("ok", the appended header's value) or the error. Sound when a
    refused call left raw_headers as they were, an accepted one appended exactly
    one (b"set-cookie", bytes), and (set_cookie, a side with a cookie module,
    arguments this starlette takes) ``cookie_value(**again)`` gives the same."""
    response = side.classes.Response(b"x", headers={"x-pre": "1"})
    raw = response.raw_headers
    before = list(raw)
    result = outcome(getattr(side, "cookie_call", _cookie_call), method, response, kwargs)
    if result[0] == "err":
        sound = response.raw_headers is raw and raw == before
        return Run(outcome=result, sound=sound, problem="a refused call changed raw_headers")
    sound = (response.raw_headers is raw and len(raw) == len(before) + 1
             and raw[:-1] == before and raw[-1][0] == b"set-cookie"
             and type(raw[-1][1]) is bytes)
    result = ("ok", raw[-1][1] if raw else None)
    if not sound:
        return Run(outcome=result, sound=False,
                   problem="set-cookie did not append exactly one (b'set-cookie', bytes) header")
    if (again is not None and method == "set_cookie" and side.cookie is not None
            and set(again) <= set(starlette_parameters("set_cookie"))):
        written = outcome(side.cookie.cookie_value, **again)
        if written != result:
            return Run(outcome=result, sound=False,
                       problem="cookie_value gives %s, set_cookie appends %s" % (
                           describe(written), describe(result)))
    return Run(outcome=result, sound=True, problem="")


def response_run(side: Any, make: Callable[[Any], Any]) -> Run:
    """snapshot(make(side.classes)), or the error."""
    return Run(outcome=outcome(lambda: snapshot(make(side.classes))), sound=True, problem="")


_subclasses: Dict[Tuple, type] = {}


def _response_class(classes: Any, args: Dict[str, Any]) -> type:
    """classes.<cls>, or a subclass of it with the charset/media_type the case gives
    (made once per distinct spec, so repeated runs meet warm caches)."""
    base = getattr(classes, args.get("cls", "Response"))
    attrs = {name: args[name] for name in ("charset", "cls_media_type") if name in args}
    if not attrs:
        return base
    key = (base, dumps(attrs))
    cls = _subclasses.get(key)
    if cls is None:
        namespace = {}
        if "charset" in attrs:
            namespace["charset"] = decode(attrs["charset"])
        if "cls_media_type" in attrs:
            namespace["media_type"] = decode(attrs["cls_media_type"])
        if len(_subclasses) > 4000:
            _subclasses.clear()
        cls = _subclasses[key] = type(base.__name__, (base,), namespace)
    return cls


def _kwargs(args: Dict[str, Any], names: Tuple[str, ...]) -> Dict[str, Any]:
    return {name: decode(args[name]) for name in names if name in args}


RESPONSE_ARGS = ("content", "status_code", "headers", "media_type")


def _case_maker(case: Dict[str, Any]) -> Callable[[Any], Any]:
    """make(classes) for a response case (fresh argument values per call)."""
    args = case["args"]
    target = case["target"]
    if target == "response":
        def make(classes: Any) -> Any:
            cls = _response_class(classes, args)
            kwargs = _kwargs(args, RESPONSE_ARGS)
            if args.get("positional"):
                return cls(*[kwargs.pop(name, default) for name, default in
                             zip(RESPONSE_ARGS, (None, 200, None, None))])
            return cls(**kwargs)
    elif target == "json":
        def make(classes: Any) -> Any:
            return classes.JSONResponse(**_kwargs(args, RESPONSE_ARGS))
    elif target == "redirect":
        def make(classes: Any) -> Any:
            return classes.RedirectResponse(**_kwargs(args, ("url", "status_code", "headers")))
    else:
        raise ValueError(target)
    return make


def _run_init_headers(case: Dict[str, Any], side: Any) -> Run:
    """init_headers(headers) called again on a built response."""
    args = case["args"]
    cls = _response_class(side.classes, args)
    response = cls(**_kwargs(args, ("content", "status_code", "media_type")))
    raw = response.raw_headers
    before = list(raw)
    headers = decode(args.get("headers"))
    result = outcome(lambda: (response.init_headers(headers), snapshot(response))[1])
    sound = result[0] == "ok" or (response.raw_headers is raw and raw == before)
    return Run(outcome=result, sound=sound, problem="a refused init_headers changed raw_headers")


def run_case(case: Dict[str, Any], side: Any) -> Run:
    """One run of a case on one side (an implementation or the oracle), with
    ``time.time`` frozen to the case's ``now``."""
    real_time = time.time
    now = case.get("now", 1_700_000_000.25)
    time.time = lambda: now
    try:
        target = case["target"]
        if target in ("set_cookie", "delete_cookie"):
            args = case["args"]
            return cookie_run(side, target, _kwargs(args, tuple(args)), _kwargs(args, tuple(args)))
        if target == "init_headers":
            return _run_init_headers(case, side)
        return response_run(side, _case_maker(case))
    finally:
        time.time = real_time


# =============================================================== the judge


def _str_or_none(value: Any) -> Optional[str]:
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - whoever calls str() raises it
        return None
    try:
        return str.__str__(text)  # the characters, whatever the subclass says
    except TypeError:
        return None


def _written(value: Any) -> bool:
    """SimpleCookie writes an attribute unless it is None or == ""."""
    if value is None:
        return False
    try:
        return not value == ""
    except Exception:  # noqa: BLE001
        return False


def cookie_must_refuse(target: str, kwargs: Dict[str, Any]) -> bool:
    """A control character in the str() of a field that would be written."""
    if target == "delete_cookie":
        kwargs = {**kwargs, "value": "", "max_age": 0, "expires": 0}
    texts = []
    key = kwargs["key"]
    if isinstance(key, str):
        texts.append(_str_or_none(key))
    texts.append(_str_or_none(kwargs.get("value", "")))
    for name, default in (("domain", None), ("path", "/")):
        value = kwargs.get(name, default)
        if _written(value):
            texts.append(_str_or_none(value))
    for name in ("expires", "max_age"):
        value = kwargs.get(name)
        if not isinstance(value, (int, datetime)) and _written(value):
            texts.append(_str_or_none(value))
    samesite = kwargs.get("samesite", "lax")
    if samesite is not None:
        texts.append(_str_or_none(samesite))
    return any(text is not None and not COOKIE_CONTROL.isdisjoint(text) for text in texts)


def has_forbidden(value: Any) -> bool:
    """A str (of any subclass) whose characters hold CR, LF or NUL."""
    return isinstance(value, str) and not HEADER_FORBIDDEN.isdisjoint(str.__str__(value))


def headers_forbidden(headers: Any) -> bool:
    """CR, LF or NUL in a header name or value given to the constructor."""
    if headers is None:
        return False
    try:
        pairs = list(headers.items())
    except Exception:  # noqa: BLE001
        return False
    for key, value in pairs:
        if has_forbidden(key) or has_forbidden(value):
            return True
        try:
            if has_forbidden(key.lower()):
                return True
        except Exception:  # noqa: BLE001
            pass
    return False


def _type_name(kind: Any) -> str:
    return getattr(kind, "__name__", repr(kind))


def describe(result: Tuple, limit: int = 300) -> str:
    if result[0] == "ok":
        text = "ok %r" % (result[1],)
    else:
        text = "%s: %s" % (_type_name(result[1]), result[2])
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Mismatch(AssertionError):
    """A finding: ``signature`` groups findings of one kind (for de-duplication)."""

    def __init__(self, signature: str, detail: str) -> None:
        super().__init__("%s\n%s" % (signature, detail))
        self.signature = signature
        self.detail = detail


def _kind(result: Tuple) -> str:
    return "ok" if result[0] == "ok" else _type_name(result[1])


#: (starlette's outcome, the exception types the hardening may raise instead --
#: or, for an "ok" outcome, must raise; () when no rule applies).
Expected = Tuple[Tuple, Tuple[type, ...]]


def _as_fastresp_raises(result: Tuple) -> Tuple:
    """starlette's samesite AssertionError is fastresp's SameSiteError."""
    if result[0] == "err" and result[1] is AssertionError and "samesite" in result[2]:
        return ("err", SameSiteError, result[2])
    return result


def expected_cookie(kwargs: Dict[str, Any], method: str = "set_cookie",
                    starlette_outcome: Optional[Tuple] = None) -> Expected:
    """What fastresp must give for Response.<method>(**kwargs): starlette's
    outcome (computed unless given) with the hardening on top."""
    result = starlette_outcome
    if result is None:
        result = cookie_run(ORACLE_SIDE, method, kwargs).outcome
    samesite = kwargs.get("samesite", "lax")
    if (result[0] == "ok" and sys.flags.optimize and isinstance(samesite, str)
            and samesite.lower() not in ("strict", "lax", "none")):
        # starlette's assert is gone under -O; fastresp raises anyway.
        result = ("err", AssertionError, "samesite must be either 'strict', 'lax' or 'none'")
    refuse = (CookieError,) if cookie_must_refuse(method, kwargs) else ()
    return _as_fastresp_raises(result), refuse


def starlette_cookie(kwargs: Dict[str, Any], method: str = "set_cookie") -> Tuple:
    """starlette's own outcome of Response.<method>(**kwargs): ("ok", header
    value bytes) or ("err", type, message), without the hardening."""
    return cookie_run(ORACLE_SIDE, method, kwargs).outcome


def expected_response(starlette_outcome: Tuple, headers: Any = None,
                      others: Tuple[Any, ...] = ()) -> Expected:
    """What fastresp must give for a response starlette built with that outcome:
    CR, LF or NUL in a given header (headers) -> ValueError, even where starlette
    would not write it; written into a header from anything else -> ValueError;
    when starlette refuses the call anyway and one of others (media_type,
    charset) holds one, either error is right."""
    result = starlette_outcome
    refuse = headers_forbidden(headers)
    if result[0] == "ok":
        written = [part for header in result[1][2] for part in header]
        if any(byte in part for part in written for byte in (b"\r", b"\n", b"\0")):
            refuse = True
    elif not refuse:
        refuse = any(has_forbidden(value) for value in others)
    return _as_fastresp_raises(result), ((ValueError,) if refuse else ())


def expected(case: Dict[str, Any], starlette_run: Run) -> Expected:
    """expected_cookie / expected_response for a case."""
    target = case["target"]
    args = case["args"]
    if target in ("set_cookie", "delete_cookie"):
        return expected_cookie(_kwargs(args, tuple(args)), target, starlette_run.outcome)
    return expected_response(starlette_run.outcome, decode(args.get("headers")), tuple(
        decode(args.get(name)) for name in ("media_type", "charset", "cls_media_type")))


def judge(got: Tuple, wanted: Expected, target: str = "call", name: str = "fastresp") -> None:
    """Raise Mismatch unless got is what starlette plus the hardening allows:
    for valid input the same bytes; when starlette raises, its exception type;
    where a hardening rule applies, one of its types."""
    wanted, refuse = wanted
    if wanted[0] == "ok" and not refuse:
        if got != wanted:
            if got[0] == "ok":
                raise Mismatch("%s: %s gives other bytes than starlette" % (target, name),
                               "fastresp:  %s\nstarlette: %s" % (describe(got), describe(wanted)))
            raise Mismatch("%s: %s raises %s, starlette accepts" % (target, name, _kind(got)),
                           "fastresp:  %s\nstarlette: %s" % (describe(got), describe(wanted)))
        return
    allowed = tuple(refuse) + (() if wanted[0] == "ok" else (wanted[1],))
    if got[0] == "err" and got[1] in allowed:
        return
    rule = " (hardening: %s)" % ", ".join(_type_name(kind) for kind in refuse) if refuse else ""
    raise Mismatch(
        "%s: %s %s, starlette %s%s" % (
            target, name, "accepts" if got[0] == "ok" else "raises " + _kind(got),
            "accepts" if wanted[0] == "ok" else "raises " + _kind(wanted), rule),
        "fastresp:  %s\nstarlette: %s\nallowed:   %s" % (
            describe(got), describe(wanted), ", ".join(_type_name(kind) for kind in allowed)))


def same(got: Tuple, reference: Tuple, target: str = "call", names: str = "the implementations") -> None:
    """Raise Mismatch unless two outcomes are identical: the same bytes, or the
    same exception type and message."""
    if got != reference:
        raise Mismatch("%s: %s (%s and %s) differ" % (target, names, _kind(got), _kind(reference)),
                       "%s\n%s" % (describe(got), describe(reference)))


def _sound(run: Run, target: str, name: str) -> Tuple:
    if not run.sound:
        raise Mismatch("%s: %s %s" % (target, name, run.problem), describe(run.outcome))
    return run.outcome


# ========================================================= checks on values


def check_cookie(impl: Any, references: Any, kwargs: Dict[str, Any],
                 method: str = "set_cookie") -> Tuple:
    """impl's outcome of Response.<method>(**kwargs): sound (cookie_run), allowed
    by starlette plus the hardening, identical to each reference's. Returns it."""
    got = _sound(cookie_run(impl, method, kwargs, kwargs), method, impl.name)
    judge(got, expected_cookie(kwargs, method), method, impl.name)
    for reference in references:
        same(got, _sound(cookie_run(reference, method, kwargs, kwargs), method, reference.name),
             method, "%s and %s" % (impl.name, reference.name))
    return got


def check_response(impl: Any, references: Any, make: Callable[[Any], Any], headers: Any = None,
                   others: Tuple[Any, ...] = ()) -> Tuple:
    """make(classes) on impl's classes: allowed by starlette plus the hardening
    (headers and others as for expected_response), identical on each reference.
    Returns the outcome of snapshot(make(impl.classes))."""
    got = response_run(impl, make).outcome
    judge(got, expected_response(response_run(ORACLE_SIDE, make).outcome, headers, others),
          "response", impl.name)
    for reference in references:
        same(got, response_run(reference, make).outcome, "response",
             "%s and %s" % (impl.name, reference.name))
    return got


# ========================================================== checks on cases


RAISING_TAGS = {"BadStr": "__str__", "BadBool": "__bool__", "BadEq": "__eq__"}


def raising_user_code(node: Any, found: Optional[set] = None) -> set:
    """What user code in a case raises by design: __str__, __bool__, __eq__ (a
    __str__ returning a non-str counts as __str__)."""
    found = set() if found is None else found
    if isinstance(node, list):
        for item in node:
            raising_user_code(item, found)
    elif isinstance(node, dict):
        tag = node.get("$")
        if tag in RAISING_TAGS:
            found.add(RAISING_TAGS[tag])
        elif tag in ("OwnStr", "Obj") and not isinstance(node.get("s"), (str, dict)):
            found.add("__str__")
        for value in node.values():
            raising_user_code(value, found)
    return found


def check(case: Dict[str, Any], impls: List[Any], oracle: Any = ORACLE_SIDE) -> None:
    """Run case everywhere; raise Mismatch on the first disagreement.

    When fastresp and starlette both raise, but different types, and the case holds
    user code that raises by design, the signature only names that user code: such
    calls have several faults, and which one is reported first depends on the
    order the arguments are looked at (one finding, not one per pair of types).
    """
    try:
        _check(case, impls, oracle)
    except Mismatch as mismatch:
        if " raises " in mismatch.signature and ", starlette raises " in mismatch.signature:
            raising = raising_user_code(case["args"])
            if raising:
                raise Mismatch(
                    "%s: another error than starlette's when user code raises" % case["target"],
                    "user code raising: %s\n%s" % (", ".join(sorted(raising)), mismatch.detail),
                ) from None
        raise


def _check(case: Dict[str, Any], impls: List[Any], oracle: Any) -> None:
    target = case["target"]
    results = {}
    for impl in impls:
        first = _sound(run_case(case, impl), target, impl.name)
        second = run_case(case, impl)
        if second.outcome != first or not second.sound:
            raise Mismatch("%s: %s changes its answer on a second run" % (target, impl.name),
                           "first:  %s\nsecond: %s" % (describe(first), describe(second.outcome)))
        results[impl.name] = first
    names = list(results)
    for name in names[:-1]:
        if results[name] != results[names[-1]]:
            a, b = results[name], results[names[-1]]
            raise Mismatch("%s: %s (%s) and %s (%s) differ" % (target, name, _kind(a), names[-1], _kind(b)),
                           "%s: %s\n%s: %s" % (name, describe(a), names[-1], describe(b)))
    wanted = expected(case, run_case(case, oracle))
    for name in names:
        judge(results[name], wanted, target, name)


# =============================================================== strategies


def strategies() -> SimpleNamespace:
    """Hypothesis strategies of cases, one per target (imported lazily, so the
    replay of saved cases needs no hypothesis)."""
    from hypothesis import strategies as st

    legal = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:"
    special = ("\r\n\0\t\x0b\x0c\x1c\x1f\x7f \xa0\x85\u3000\u2028\u212a\u1e9e\u0130\u017f"
               "\xe9\xff\xb5\xdf\u0100\u20ac\U0001f600\ud800\udfff\"\\;,=()/<>?@[]{}%")
    chars = st.one_of(
        st.sampled_from(legal), st.characters(max_codepoint=0xFF), st.characters(),
        st.characters(categories=["Cs"]), st.sampled_from(special),
    )
    any_text = st.text(chars, max_size=16)
    legal_text = st.text(st.sampled_from(legal), min_size=1, max_size=12)
    latin1_text = st.text(st.characters(max_codepoint=0xFF), max_size=16)

    def rep(text: Any, low: int = 2, high: int = 20000) -> Any:
        return st.builds(lambda v, n: {"$": "rep", "v": v, "n": n}, text, st.integers(low, high))

    def texts(base: Any) -> Any:
        return st.one_of(base, base, base, rep(base.filter(bool)))

    def tagged(tag: str, **fields: Any) -> Any:
        return st.fixed_dictionaries({"$": st.just(tag), **fields})

    def stringish(text: Any) -> Any:
        return st.one_of(
            text, text, text,
            # str() of an OwnStr may be another str subclass, but not one with its own
            # __str__ again: "%s" % x then calls str() twice in CPython (a compiler
            # quirk of "%s" with a tuple literal) -- beyond anything the contract covers.
            tagged("Text", v=text), tagged("OwnStr", v=text, s=st.one_of(
                text, text, tagged("Text", v=text), st.integers())),
            tagged("Shouty", v=text), tagged("Obj", s=text),
            st.binary(max_size=8).map(lambda data: {"$": "bytes", "v": data.hex()}),
        )

    floats = st.floats().map(lambda x: {"$": "float", "v": repr(x)})
    small_floats = st.floats(-1e12, 1e12).map(lambda x: {"$": "float", "v": repr(x)})
    ints = st.one_of(
        st.integers(-1000, 10 ** 6), st.integers(), st.integers(-(2 ** 80), 2 ** 80),
        st.sampled_from([2 ** 31, 2 ** 53, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64, -(2 ** 63),
                         -(2 ** 63) - 1, -(2 ** 64), 10 ** 400, -(10 ** 400)]),
    )
    odd = st.sampled_from([{"$": "BadStr"}, {"$": "BadBool"}, {"$": "BadEq"},
                           {"$": "list", "v": []}, {"$": "list", "v": ["a"]},
                           {"$": "dict", "items": []}])
    my_ints = st.integers(-(2 ** 70), 2 ** 70).map(lambda n: {"$": "MyInt", "v": n})

    def datetimes() -> Any:
        moments = st.one_of(
            st.datetimes(), st.datetimes(min_value=datetime(1970, 1, 1),
                                         max_value=datetime(2200, 1, 1)),
            st.datetimes(max_value=datetime(1200, 1, 1)),
        )
        zones = st.one_of(st.just("utc"), st.just("utc"), st.just("utc"), st.none(),
                          st.just("zero"), st.just("custom"), st.integers(-23 * 60, 23 * 60))
        return st.builds(
            lambda when, tz, sub: {"$": "datetime", "tz": tz, "sub": sub, "v": [
                when.year, when.month, when.day, when.hour, when.minute, when.second,
                when.microsecond]},
            moments, zones, st.sampled_from([False, False, False, True]))

    # ---------------------------------------------------------- cookies
    reserved = ["expires", "path", "comment", "domain", "max-age", "secure", "httponly",
                "version", "samesite", "partitioned"]

    def case_variants(word: str) -> Any:
        return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
            lambda flags: "".join(c.upper() if up else c for c, up in zip(word, flags)))

    key = st.one_of(
        legal_text, legal_text, legal_text, legal_text,
        st.sampled_from(reserved).flatmap(case_variants),
        stringish(any_text), stringish(legal_text),
        tagged("OwnStr", v=legal_text, s=any_text), tagged("Shouty", v=st.sampled_from(reserved)),
        st.just(""), st.integers(0, 9), st.none(), odd,
    )
    value = st.one_of(
        texts(legal_text), texts(latin1_text), stringish(any_text), ints, floats, st.none(),
        st.just(""), st.booleans(), my_ints, odd, datetimes(),
    )
    max_age = st.one_of(
        st.none(), ints, st.booleans(), floats, stringish(any_text), st.just(""), my_ints, odd,
    )
    expires = st.one_of(
        st.none(), st.integers(-(10 ** 10), 10 ** 10), st.integers(-(10 ** 12), 10 ** 12), ints,
        st.booleans(), st.just(0), datetimes(), datetimes(), stringish(any_text), st.just(""),
        small_floats, floats, my_ints, odd,
    )
    text_attr = st.one_of(
        st.none(), st.just(""), st.just("/"), stringish(texts(any_text)), texts(latin1_text),
        st.integers(), odd, my_ints,
    )
    flag = st.one_of(st.booleans(), st.booleans(), st.booleans(),
                     st.sampled_from([0, 1, "", "x", None]), odd, floats)
    samesite = st.one_of(
        st.none(),
        st.sampled_from(["strict", "lax", "none"]).flatmap(case_variants),
        st.sampled_from(["strict", "lax", "none"]).flatmap(case_variants).map(
            lambda word: {"$": "Text", "v": word}),
        st.builds(lambda word, shown: {"$": "OwnStr", "v": word, "s": shown},
                  st.sampled_from(["strict", "lax", "none"]), any_text),
        stringish(any_text), st.integers(), odd,
    )
    now = st.one_of(st.just(1_700_000_000.25), st.floats(0, 4e9), st.floats(-1e11, 3e11),
                    st.integers(0, 4 * 10 ** 9).map(float))
    cookie_attrs = {"value": value, "max_age": max_age, "expires": expires, "path": text_attr,
                    "domain": text_attr, "secure": flag, "httponly": flag, "samesite": samesite,
                    "partitioned": flag}

    def cookie_case(target: str, names: Tuple[str, ...]) -> Any:
        return st.builds(
            lambda args, when: {"target": target, "now": when, "args": args},
            st.fixed_dictionaries({"key": key},
                                  optional={name: cookie_attrs[name] for name in names}),
            now)

    # -------------------------------------------------------- responses
    header_name = st.one_of(
        st.sampled_from(["content-length", "content-type", "location", "x-a", "set-cookie"])
        .flatmap(case_variants),
        legal_text, any_text, latin1_text,
        tagged("Text", v=legal_text), tagged("Shouty", v=legal_text),
        st.binary(max_size=4).map(lambda data: {"$": "bytes", "v": data.hex()}),
        st.integers(0, 9), st.none(),
    )
    header_value = st.one_of(
        texts(latin1_text), any_text, st.integers(0, 10 ** 6).map(str),
        tagged("Text", v=latin1_text), tagged("OwnStr", v=latin1_text, s=any_text),
        st.binary(max_size=4).map(lambda data: {"$": "bytes", "v": data.hex()}),
        st.integers(), st.none(),
    )
    latin1_pairs = st.lists(st.tuples(latin1_text, texts(latin1_text)), max_size=8)
    pairs = st.lists(st.tuples(header_name, header_value), max_size=8)

    def mapping(tag: str, items: Any) -> Any:
        return items.map(lambda found: {"$": tag, "items": [list(pair) for pair in found]})

    many = st.lists(st.tuples(legal_text, latin1_text), min_size=20, max_size=80)
    headers = st.one_of(
        st.none(), mapping("dict", pairs), mapping("dict", pairs), mapping("dict", many),
        mapping("dict", latin1_pairs), mapping("DictSub", pairs), mapping("Pairs", pairs),
        mapping("Headers", latin1_pairs), mapping("MutableHeaders", latin1_pairs),
        st.sampled_from([{"$": "list", "v": []}, "x", 5]),
    )
    content = st.one_of(
        st.none(), st.binary(max_size=64).map(lambda data: {"$": "bytes", "v": data.hex()}),
        texts(any_text), texts(latin1_text), stringish(any_text),
        st.builds(lambda data, step: {"$": "memoryview", "v": data.hex(), "step": step},
                  st.binary(max_size=64), st.integers(1, 3)),
        st.binary(max_size=16).map(lambda data: {"$": "bytearray", "v": data.hex()}),
        st.sampled_from([1, 4095, 4096, 100_000]).map(
            lambda n: {"$": "rep", "v": {"$": "bytes", "v": "7a"}, "n": n}),
        ints, floats, odd,
    )
    status = st.one_of(
        st.integers(100, 599), st.integers(100, 599),
        st.sampled_from([100, 101, 199, 200, 204, 205, 304, 0, -1]),
        ints, st.booleans(), floats, my_ints, st.none(), st.just("200"),
    )
    media_type = st.one_of(
        st.none(), st.none(),
        st.sampled_from(["text/plain", "TEXT/HTML", "text/html; Charset=x", "text/html;charset=y",
                         "application/json", "image/png", "text/", "", "text/\r\n", "a/b\0",
                         "text/\xe9", "text/\u0100", "text/plain; CHARSET=\u0130"]),
        any_text, latin1_text.map(lambda text: "text/" + text),
        tagged("Text", v=st.sampled_from(["text/plain", "x/y"])),
        tagged("Shouty", v=st.sampled_from(["text/plain", "text/x; charset=a"])),
        st.integers(), floats, st.binary(max_size=8).map(lambda d: {"$": "bytes", "v": d.hex()}),
        odd,
    )
    charset = st.one_of(
        st.sampled_from(["utf-8", "UTF-8", "latin-1", "ascii", "utf-16", "cp1252",
                         "no-such-codec", "utf-8\r\nx", "\u0100", ""]),
        st.none(), st.integers(), tagged("Text", v=st.just("latin-1")),
    )
    response_args = st.fixed_dictionaries(
        {"cls": st.sampled_from(["Response", "HTMLResponse", "PlainTextResponse"])},
        optional={"content": content, "status_code": status, "headers": headers,
                  "media_type": media_type, "charset": charset,
                  "cls_media_type": media_type, "positional": st.booleans()})
    json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), floats, any_text)
    json_content = st.recursive(
        json_leaf,
        lambda children: st.one_of(
            st.lists(children, max_size=4).map(lambda items: {"$": "list", "v": items}),
            st.lists(st.tuples(any_text, children), max_size=4).map(
                lambda items: {"$": "dict", "items": [list(item) for item in items]})),
        max_leaves=10)
    url = st.one_of(
        texts(any_text), latin1_text, st.text(st.sampled_from(legal + "/?=&#%[]@;, "), max_size=30),
        stringish(any_text), st.integers(),
        st.text(st.sampled_from(string.ascii_letters + "/:?=&"), max_size=20).map(
            lambda text: {"$": "URL", "v": text}), odd,
    )
    redirect_headers = st.one_of(
        headers,
        mapping("Headers", st.lists(st.tuples(
            st.sampled_from(["location", "Location", "LOCATION", "x-a"]), latin1_text), max_size=6)),
        mapping("dict", st.lists(st.tuples(
            st.sampled_from(["location", "x"]).flatmap(case_variants), header_value), max_size=4)),
    )

    def case(target: str, args: Any) -> Any:
        return args.map(lambda found: {"target": target, "args": found})

    # The argument types real apps pass (the compiled fast path): mostly valid.
    common_cookie = st.builds(
        lambda args, when: {"target": "set_cookie", "now": when, "args": args},
        st.fixed_dictionaries({"key": legal_text, "value": latin1_text}, optional={
            "max_age": st.integers(), "expires": st.one_of(st.integers(-(10 ** 9), 10 ** 9),
                                                           datetimes()),
            "path": latin1_text, "domain": latin1_text, "secure": st.booleans(),
            "httponly": st.booleans(), "partitioned": st.booleans(),
            "samesite": st.sampled_from(["strict", "lax", "none", "Lax", "NONE", None])}),
        now)

    return SimpleNamespace(
        set_cookie=st.one_of(cookie_case("set_cookie", tuple(cookie_attrs)), common_cookie),
        delete_cookie=cookie_case("delete_cookie", ("path", "domain", "secure", "httponly",
                                                    "samesite", "partitioned")),
        response=case("response", response_args),
        json=case("json", st.fixed_dictionaries(
            {"content": json_content},
            optional={"status_code": status, "headers": headers, "media_type": media_type})),
        redirect=case("redirect", st.fixed_dictionaries(
            {"url": url}, optional={"status_code": status, "headers": redirect_headers})),
        init_headers=case("init_headers", st.fixed_dictionaries(
            {"cls": st.sampled_from(["Response", "HTMLResponse", "PlainTextResponse"]),
             "headers": headers},
            optional={"content": st.sampled_from([None, "", "x" * 10,
                                                  {"$": "bytes", "v": "00ff"}]),
                      "status_code": st.sampled_from([200, 204, 304, 100, 404]),
                      "media_type": st.sampled_from([None, "text/plain", "application/json"]),
                      "charset": st.sampled_from(["utf-8", "latin-1"])})),
    )


TARGETS = ("set_cookie", "delete_cookie", "response", "json", "redirect", "init_headers")


# ================================================================ regressions


#: Where failing cases are saved (tests/fuzz.py) and replayed from (tests/test_differential.py).
REGRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regressions")


def load_regressions(directory: str = REGRESSIONS) -> List[Tuple[str, Dict[str, Any]]]:
    """(file name, record) for every saved case in directory, sorted by name."""
    found = []
    if os.path.isdir(directory):
        for name in sorted(os.listdir(directory)):
            if name.endswith(".json"):
                with open(os.path.join(directory, name), encoding="ascii") as handle:
                    found.append((name, json.load(handle)))
    return found
