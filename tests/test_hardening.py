"""The hardening fastresp adds on top of starlette, and its error contract.

* A control character (0x00-0x1F, 0x7F) in the str() of a cookie name, value or
  any written attribute -> http.cookies.CookieError naming the field.
* CR, LF or NUL in a header name or value given to the constructor, or in
  media_type -> ValueError naming the field.
* Bad samesite -> SameSiteError (AssertionError and ValueError), also under -O.
* A refused call leaves raw_headers as it was; both implementations raise the
  same type with the same message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from http.cookies import CookieError

import pytest
import starlette.responses as sr

import fastresp
from fastresp._common import SameSiteError
from oracle import COOKIE_CONTROL, HEADER_FORBIDDEN, Obj, OwnStr, outcome

CONTROL_CHARS = sorted(COOKIE_CONTROL)
HEADER_FORBIDDEN_CHARS = sorted(HEADER_FORBIDDEN, key="\r\n\0".index)


def _refused(impl, references, run, call):
    """Run call(response) on a fresh response of impl and of its references: the
    error, checked to be the same in all and to leave raw_headers untouched."""
    outcomes = []
    for implementation in (impl, *references):
        response = implementation.classes.Response(b"x", headers={"x-a": "1"})
        before = list(response.raw_headers)
        before_list = response.raw_headers
        result = run(call, response)
        assert response.raw_headers is before_list
        assert response.raw_headers == before
        outcomes.append(result)
    assert all(result == outcomes[0] for result in outcomes), outcomes
    assert outcomes[0][0] == "err", outcomes[0]
    return outcomes[0]


def _same(impl, references, run, call):
    """run(call, implementation) for impl and each reference: the one outcome
    they all give (bytes, or exception type and message)."""
    outcomes = [run(call, implementation) for implementation in (impl, *references)]
    assert all(result == outcomes[0] for result in outcomes), outcomes
    return outcomes[0]


def _value_error(impl, references, run, call):
    """The ValueError message call(implementation) raises, the same everywhere."""
    got = _same(impl, references, run, call)
    assert got[0] == "err" and got[1] is ValueError, got
    return got[2]


# ---------------------------------------------------------------- cookies

COOKIE_FIELDS = {
    # field name in the message: keyword arguments with the bad text in that field
    "value": lambda bad: {"value": "a" + bad + "b"},
    "domain": lambda bad: {"domain": "ex" + bad + ".org"},
    "path": lambda bad: {"path": "/p" + bad},
    "expires": lambda bad: {"expires": "Thu" + bad},
    "max_age": lambda bad: {"max_age": "1" + bad},
}


@pytest.mark.parametrize("char", CONTROL_CHARS, ids=[f"{ord(c):#04x}" for c in CONTROL_CHARS])
@pytest.mark.parametrize("field", sorted(COOKIE_FIELDS))
def test_control_char_in_cookie_field(impl, references, run, field, char):
    kwargs = COOKIE_FIELDS[field](char)
    error = _refused(impl, references, run, lambda r: r.set_cookie("session", **kwargs))
    assert error[1] is CookieError
    assert error[2].startswith(f"{field} of cookie 'session' must not contain control characters: ")


@pytest.mark.parametrize("char", CONTROL_CHARS, ids=[f"{ord(c):#04x}" for c in CONTROL_CHARS])
def test_control_char_as_whole_value_and_last_attribute(impl, references, run, char):
    """Even where starlette's .strip() would drop it (trailing, last attribute)."""
    for kwargs, field in [({"value": char}, "value"),
                          ({"path": "/" + char, "samesite": None}, "path"),
                          ({"domain": "d" + char, "path": None, "samesite": None}, "domain")]:
        error = _refused(impl, references, run, lambda r: r.set_cookie("k", **kwargs))
        assert error[1] is CookieError
        assert f"{field} of cookie 'k' " in error[2]


@pytest.mark.parametrize("char", ["\t", "\n", "\x7f"], ids=["tab", "lf", "del"])
def test_control_char_in_samesite(impl, references, run, char):
    error = _refused(impl, references, run, lambda r: r.set_cookie("k", samesite="lax" + char))
    # Not one of strict/lax/none: the samesite check refuses it first.
    assert error[1] is SameSiteError


def test_control_char_in_samesite_str(impl, references, run):
    class Sneaky(str):
        def __str__(self):
            return "lax\r\nx"

    error = _refused(impl, references, run, lambda r: r.set_cookie("k", samesite=Sneaky("lax")))
    assert error[1] is CookieError and "samesite of cookie 'k' " in error[2]


@pytest.mark.parametrize("char", CONTROL_CHARS[:3] + ["\x1f", "\x7f"])
def test_control_char_in_name(impl, references, run, char):
    error = _refused(impl, references, run, lambda r: r.set_cookie("k" + char, "v"))
    assert error[1] is CookieError
    assert "Illegal key" in error[2]


def test_control_char_in_name_str(impl, references, run):
    """A legal str subclass key whose str() holds a control character."""
    class Sneaky(str):
        def __str__(self):
            return "k\nSet-Cookie: evil=1"

    error = _refused(impl, references, run, lambda r: r.set_cookie(Sneaky("k"), "v"))
    # The name is the subject: shown once, as its text.
    assert error[1] is CookieError and error[2] == (
        "cookie name must not contain control characters: 'k\\nSet-Cookie: evil=1'")


@pytest.mark.parametrize("field, kwargs", [
    ("value", {"value": Obj("a\nb")}),
    ("value", {"value": b"ok"}),  # str(b"...") has no control character: accepted
    ("domain", {"domain": Obj("\x00")}),
    ("path", {"path": Obj("/\r")}),
    ("expires", {"expires": Obj("\x01")}),
    ("max_age", {"max_age": Obj("\x7f")}),
])
def test_control_char_in_str_of_objects(impl, references, run, field, kwargs):
    if kwargs.get("value") == b"ok":
        response = impl.classes.Response()
        response.set_cookie("k", **kwargs)
        assert response.raw_headers[-1] == (b"set-cookie", b"k=b'ok'; Path=/; SameSite=lax")
        return
    error = _refused(impl, references, run, lambda r: r.set_cookie("k", **kwargs))
    assert error[1] is CookieError and f"{field} of cookie 'k' " in error[2]


#: Each cookie field with a control character, and with text that is not latin-1.
_NAMED_FIELDS = ["value", "domain", "path", "expires", "max_age"]


@pytest.mark.parametrize("bad", ["\x01", "\u0100"], ids=["control", "not-latin1"])
@pytest.mark.parametrize("method, field", [
    (method, field) for method in ("set_cookie", "delete_cookie")
    for field in _NAMED_FIELDS + ["samesite"]
    if method == "set_cookie" or field in ("path", "domain", "samesite")])
def test_cookie_errors_name_the_cookie(impl, references, run, method, bad, field):
    """Which cookie: every field's error names the cookie by its name, in the
    same words on both implementations."""
    text = OwnStr("lax", "lax" + bad) if field == "samesite" else "a" + bad
    kwargs = {"key": "session-42", field: text}
    error = _refused(impl, references, run, lambda r: getattr(r, method)(**kwargs))
    assert error[1] is (CookieError if bad == "\x01" else UnicodeEncodeError), error
    assert f"{field} of cookie 'session-42'" in error[2], error[2]


@pytest.mark.parametrize("key", [OwnStr("k", "k\x01"), OwnStr("k", "k\u0100")],
                         ids=["control", "not-latin1"])
def test_cookie_name_errors_show_the_name_once(impl, references, run, key):
    error = _refused(impl, references, run, lambda r: r.set_cookie(key, "v"))
    assert "cookie name" in error[2] and "of cookie" not in error[2], error[2]
    if error[1] is CookieError:
        assert error[2] == "cookie name must not contain control characters: 'k\\x01'"


@pytest.mark.parametrize("where", ["construct", "setitem", "append", "setdefault", "update"])
def test_header_name_errors_show_the_name_once(impl, references, run, where):
    calls = {
        "construct": lambda i: i.classes.Response(b"", headers={"X-Bad\r\n": "v"}),
        "setitem": lambda i: i.classes.Response(b"").headers.__setitem__("X-Bad\r\n", "v"),
        "append": lambda i: i.classes.Response(b"").headers.append("X-Bad\r\n", "v"),
        "setdefault": lambda i: i.classes.Response(b"").headers.setdefault("X-Bad\r\n", "v"),
        "update": lambda i: i.classes.Response(b"").headers.update({"X-Bad\r\n": "v"}),
    }
    message = _value_error(impl, references, run, calls[where])
    assert message == "header name must not contain CR, LF or NUL: 'X-Bad\\r\\n'"


def test_control_char_message_is_short_for_huge_values(impl, references, run):
    error = _refused(impl, references, run, lambda r: r.set_cookie("k", "\n" + "x" * 100000))
    assert error[1] is CookieError
    assert len(error[2]) < 300


def test_control_chars_in_skipped_fields_are_fine(impl, oracle):
    """Attributes that are not written are not checked (None, "")."""
    got, expected = impl.classes.Response(), oracle.Response()
    for response in (got, expected):
        response.set_cookie("k", "v", path=None, domain=None, samesite=None, expires=None)
    assert got.raw_headers == expected.raw_headers


def test_delete_cookie_control_chars(impl, references, run):
    error = _refused(impl, references, run, lambda r: r.delete_cookie("sid", path="/\n"))
    assert error[1] is CookieError and "path of cookie 'sid' " in error[2]
    error = _refused(impl, references, run, lambda r: r.delete_cookie("sid", domain="\x00"))
    assert error[1] is CookieError and "domain of cookie 'sid' " in error[2]


def test_cookie_value_function_control_char(impl, references, run):
    got = run(impl.cookie.cookie_value, "k", "v", path="/\r\n")
    assert got[0] == "err" and got[1] is CookieError
    for reference in references:
        assert got == run(reference.cookie.cookie_value, "k", "v", path="/\r\n")


# --------------------------------------------------------------- headers


@pytest.mark.parametrize("char", HEADER_FORBIDDEN_CHARS, ids=["cr", "lf", "nul"])
@pytest.mark.parametrize("where", ["name", "value", "name-end", "value-start", "second"])
def test_forbidden_in_header(impl, references, run, char, where):
    headers = {
        "name": {"x-a" + char + "b": "v"},
        "value": {"x-a": "v" + char + "injected: 1"},
        "name-end": {"x-a" + char: "v"},
        "value-start": {"x-a": char},
        "second": {"x-ok": "fine", "x-bad": "v" + char},
    }[where]
    message = _value_error(impl, references, run, lambda i: i.classes.Response(b"body", headers=headers))
    assert "CR, LF or NUL" in message
    assert ("header name" if where.startswith("name") else "value of header") in message


@pytest.mark.parametrize("char", HEADER_FORBIDDEN_CHARS, ids=["cr", "lf", "nul"])
@pytest.mark.parametrize("mapping", ["dict", "Headers", "custom"])
def test_forbidden_in_header_any_mapping(impl, references, run, char, mapping):
    from starlette.datastructures import Headers

    pairs = [("x-a", "1"), ("x-b", "2" + char)]
    if mapping == "dict":
        headers = dict(pairs)
    elif mapping == "Headers":
        headers = Headers(raw=[(k.encode(), v.encode()) for k, v in pairs])
    else:
        class Pairs:
            def items(self):
                return iter(pairs)

        headers = Pairs()
    message = _value_error(impl, references, run, lambda i: i.classes.Response(b"", headers=headers))
    assert "value of header 'x-b'" in message


@pytest.mark.parametrize("char", HEADER_FORBIDDEN_CHARS, ids=["cr", "lf", "nul"])
def test_forbidden_in_media_type(impl, references, run, char):
    for media_type in ("text/html" + char, "application/json" + char + "x", char):
        assert "media_type" in _value_error(
            impl, references, run, lambda i: i.classes.Response(b"", media_type=media_type))


@pytest.mark.parametrize("char", HEADER_FORBIDDEN_CHARS, ids=["cr", "lf", "nul"])
def test_forbidden_in_class_media_type(impl, references, run, char):
    assert "media_type" in _value_error(impl, references, run, lambda i: type(
        "Bad", (i.classes.Response,), {"media_type": "text/x" + char})("x"))


@pytest.mark.parametrize("char", HEADER_FORBIDDEN_CHARS, ids=["cr", "lf", "nul"])
def test_forbidden_in_charset(impl, references, run, char):
    """The charset is written into content-type for text/*: it must not split it."""
    _value_error(impl, references, run, lambda i: type(
        "Bad", (i.classes.Response,), {"charset": "utf-8" + char})(b"x", media_type="text/plain"))


def test_forbidden_media_type_unused_is_fine(impl, oracle):
    """A bad media_type that is never written (content-type given) is not an error."""
    got = impl.classes.Response(b"", media_type="text/\r\n", headers={"content-type": "a/b"})
    expected = oracle.Response(b"", media_type="text/\r\n", headers={"content-type": "a/b"})
    assert got.raw_headers == expected.raw_headers


def test_other_control_chars_in_headers_pass(impl, oracle):
    """Only CR, LF and NUL are refused in headers: tabs and the rest pass as in starlette."""
    headers = {"x-tab": "a\tb", "x-del": "\x7f", "x-esc": "\x1b[0m", "x-vt\x0b": "v"}
    got = impl.classes.Response(b"", headers=headers, media_type="text/\x01")
    expected = oracle.Response(b"", headers=headers, media_type="text/\x01")
    assert got.raw_headers == expected.raw_headers


def test_redirect_url_with_crlf_is_quoted_not_refused(impl, oracle):
    got = impl.classes.RedirectResponse("/a\r\nb\x00")
    expected = oracle.RedirectResponse("/a\r\nb\x00")
    assert got.raw_headers == expected.raw_headers
    assert got.raw_headers[-1] == (b"location", b"/a%0D%0Ab%00")


def test_redirect_with_forbidden_header(impl, references, run):
    _value_error(impl, references, run, lambda i: i.classes.RedirectResponse("/", headers={"x": "\n"}))


# -------------------------------------------------------------- samesite


def test_samesite_error_messages(impl, references, run):
    for samesite in ("bogus", "", "LAXX", "none "):
        assert _same(impl, references, run, lambda i: i.classes.Response().set_cookie(
            "k", samesite=samesite)) == (
            "err", SameSiteError, "samesite must be either 'strict', 'lax' or 'none'")


def test_samesite_error_catchable_as_starlette_users_do(impl):
    for exception in (AssertionError, ValueError, SameSiteError):
        with pytest.raises(exception):
            impl.classes.Response().set_cookie("k", samesite="x")


def test_samesite_under_python_O(impl, tmp_path):
    """The samesite check is explicit, so it survives -O (starlette's assert would not)."""
    script = tmp_path / "check.py"
    script.write_text(f"""
import sys
assert sys.flags.optimize == 1
try:
    assert False
except AssertionError:
    raise SystemExit("asserts are on")
import starlette.responses
from fastresp._common import SameSiteError
from fastresp._impl import load_compiled, load_python
modules = load_compiled() if {impl.compiled!r} else load_python()
from fastresp.responses import make_classes
classes = make_classes(modules)
response = classes.Response()
try:
    response.set_cookie("k", "v", samesite="bogus")
except SameSiteError as error:
    assert isinstance(error, AssertionError) and isinstance(error, ValueError)
    print("refused:", error)
else:
    raise SystemExit("not refused under -O")
try:
    response.delete_cookie("k", samesite="nope")
except SameSiteError:
    print("refused delete")
else:
    raise SystemExit("delete not refused under -O")
assert response.raw_headers == [(b"content-length", b"0")], response.raw_headers
# starlette itself accepts it under -O: the reason fastresp raises explicitly.
plain = starlette.responses.Response()
starlette.responses.Response.__dict__["set_cookie"](plain, "k", "v", samesite="bogus")
print("starlette accepted")
""")
    import fastresp

    # The same fastresp as this process imported (source tree or installed).
    root = os.path.dirname(os.path.dirname(os.path.abspath(fastresp.__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))}
    result = subprocess.run([sys.executable, "-O", str(script)], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "refused: samesite must be either 'strict', 'lax' or 'none'" in result.stdout
    assert "refused delete" in result.stdout
    assert "starlette accepted" in result.stdout


# ------------------------------------------------------ refused calls keep state


@pytest.mark.parametrize("call", [
    lambda r: r.set_cookie("bad key", "v"),
    lambda r: r.set_cookie("expires", "v"),
    lambda r: r.set_cookie("k", "\u0100"),
    lambda r: r.set_cookie("k", "v", path="/\n"),
    lambda r: r.set_cookie("k", "v", samesite="no"),
    lambda r: r.set_cookie("k", "v", expires=10 ** 400),
    lambda r: r.set_cookie(b"k", "v"),
    lambda r: r.delete_cookie("k", domain="\u0100"),
    lambda r: r.delete_cookie("k", samesite="x"),
], ids=["illegal-key", "reserved-key", "non-latin1", "control", "samesite", "overflow",
        "bytes-key", "delete-non-latin1", "delete-samesite"])
def test_refused_call_leaves_raw_headers(impl, references, run, call):
    _refused(impl, references, run, call)


# ------------------------------------------------------ the refusal contract
#
# (call, exception type, words the message must hold). Each call is made on a
# response that already has headers; the refusal must leave them as they were.

A_LOT = "x" * 5000


COOKIE_REFUSALS = [
    # control characters: CookieError naming the field
    (dict(key="k", value="a\nb"), CookieError, ["value of cookie 'k'", "control characters"]),
    (dict(key="k", value=Obj("\x00")), CookieError, ["value of cookie 'k'", "control"]),
    (dict(key="k", value=A_LOT + "\x7f"), CookieError, ["value of cookie 'k'", "control"]),
    (dict(key="k", path="/\r"), CookieError, ["path of cookie 'k'", "control"]),
    (dict(key="k", domain="a\tb"), CookieError, ["domain of cookie 'k'", "control"]),
    (dict(key="k", expires="x\x1f"), CookieError, ["expires of cookie 'k'", "control"]),
    (dict(key="k", max_age="1\n"), CookieError, ["max_age of cookie 'k'", "control"]),
    (dict(key="k", samesite=OwnStr("Lax", "La\x0bx")), CookieError, ["samesite of cookie 'k'", "control"]),
    (dict(key="k", path="/", samesite=None, max_age=Obj("\n")), CookieError,
     ["max_age of cookie 'k'", "control"]),
    # names
    (dict(key="a b"), CookieError, ["Illegal key", "'a b'"]),
    (dict(key=""), CookieError, ["Illegal key"]),
    (dict(key="k\n"), CookieError, ["Illegal key"]),
    (dict(key="Max-Age"), CookieError, ["reserved key", "'Max-Age'"]),
    (dict(key="EXPIRES"), CookieError, ["reserved key"]),
    # samesite
    (dict(key="k", samesite="bogus"), SameSiteError, ["samesite", "'strict', 'lax' or 'none'"]),
    (dict(key="k", samesite=""), SameSiteError, ["samesite"]),
    # not latin-1: UnicodeEncodeError whose reason names the field
    (dict(key="k", value="\u0100"), UnicodeEncodeError, ["in value of cookie 'k'"]),
    (dict(key="k", path="/\u20ac"), UnicodeEncodeError, ["in path of cookie 'k'"]),
    (dict(key="k", domain="\ud800"), UnicodeEncodeError, ["in domain of cookie 'k'"]),
    (dict(key="k", expires="\u0100"), UnicodeEncodeError, ["in expires of cookie 'k'"]),
    (dict(key="k", max_age="\u0100"), UnicodeEncodeError, ["in max_age of cookie 'k'"]),
    (dict(key="k", samesite=OwnStr("lax", "lax"), path=None), None, None),  # accepted
    # dates and offsets starlette refuses
    (dict(key="k", expires=datetime(2020, 1, 1)), ValueError, ["UTC"]),
    (dict(key="k", expires=datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
     ValueError, ["UTC"]),
    (dict(key="k", expires=10 ** 400), OverflowError, []),
]

HEADER_REFUSALS = [
    (dict(headers={"x-a": "1\r\n"}), ValueError, ["value of header 'x-a'", "CR, LF or NUL"]),
    (dict(headers={"x-a\n": "1"}), ValueError, ["header name", "CR, LF or NUL"]),
    (dict(headers={"ok": "v", "x-b": "\0"}), ValueError, ["value of header 'x-b'"]),
    (dict(headers={"x-a": A_LOT + "\n"}), ValueError, ["value of header 'x-a'", "..."]),
    (dict(media_type="text/html\r\nx: y"), ValueError, ["media_type", "CR, LF or NUL"]),
    (dict(headers={"x-\u0100": "v"}), UnicodeEncodeError, ["header name"]),
    (dict(headers={"x-a": "\u20ac"}), UnicodeEncodeError, ["value of header 'x-a'"]),
    (dict(media_type="text/\u0100"), UnicodeEncodeError, ["media_type"]),
]


def _call_cookie(response, kwargs, method="set_cookie"):
    getattr(response, method)(**kwargs)


# delete_cookie takes only some of set_cookie's arguments: each refusal runs on
# every method that accepts its arguments.
_DELETE_ARGUMENTS = {"key", "path", "domain", "samesite"}
_REFUSED_COOKIE_CASES = [
    pytest.param(kwargs, error, words, method, id=f"{method}-cookie{index}")
    for method in ("set_cookie", "delete_cookie")
    for index, (kwargs, error, words) in enumerate(COOKIE_REFUSALS)
    if method == "set_cookie" or set(kwargs) <= _DELETE_ARGUMENTS
]


@pytest.mark.parametrize("kwargs,error,words,method", _REFUSED_COOKIE_CASES)
def test_refused_cookie(impl, references, frozen_time, kwargs, error, words, method):
    results = []
    for side in (impl, *references):
        response = side.classes.Response(b"body", headers={"x-pre": "1"})
        response.set_cookie("first", "1")
        raw = response.raw_headers
        before = list(raw)
        if error is None:
            _call_cookie(response, kwargs, method)
            assert len(raw) == len(before) + 1 and raw[:-1] == before
            results.append(("ok", raw[-1]))
            continue
        with pytest.raises(error) as caught:
            _call_cookie(response, kwargs, method)
        assert type(caught.value) is error, caught.value
        message = str(caught.value)
        for word in words:
            assert word in message, (word, message)
        assert len(message) < 400, "the message must stay readable for huge values"
        assert response.raw_headers is raw and raw == before, "a refused call changed raw_headers"
        assert all(type(name) is bytes and type(value) is bytes for name, value in raw)
        results.append(("err", type(caught.value), message))
    assert all(result == results[0] for result in results), "the implementations differ"


@pytest.mark.parametrize("kwargs,error,words", HEADER_REFUSALS,
                         ids=[f"header{index}" for index in range(len(HEADER_REFUSALS))])
def test_refused_headers(impl, references, kwargs, error, words):
    results = []
    for side in (impl, *references):
        for cls in (side.classes.Response, side.classes.HTMLResponse, side.classes.PlainTextResponse):
            with pytest.raises(error) as caught:
                cls(b"body", **kwargs)
            message = str(caught.value)
            for word in words:
                assert word in message, (word, message)
            assert len(message) < 400
            results.append((type(caught.value), message))
        if "headers" in kwargs:
            with pytest.raises(error):
                side.classes.JSONResponse({"a": 1}, **kwargs)
            with pytest.raises(error):
                side.classes.RedirectResponse("/x", headers=kwargs["headers"])
            # init_headers on a built response: refused, raw_headers untouched
            response = side.classes.Response(b"body", headers={"x-pre": "1"})
            raw = response.raw_headers
            before = list(raw)
            with pytest.raises(error):
                response.init_headers(kwargs["headers"])
            assert response.raw_headers is raw and raw == before
    assert len(set(results)) == 1, results


_GIVEN = [("X-One", "1"), ("x-a", "2"), ("Content-Type", "text/x")]
_GIVEN_BAD = {"name": ("x-bad\r\n", "v"), "value": ("x-bad", "v\r\nEvil: 1"),
              "nul": ("x-nul", "\0"), "latin1": ("x-bad", "\u20ac")}
_GIVEN_POSITIONS = {"first": 0, "middle": 2, "last": len(_GIVEN)}
#: Each way a response takes several headers at once: made with them, made
#: again (__init__ on a built response) and init_headers.
_GIVEN_CALLS = {
    "construct": lambda cls, response, headers: cls("body", headers=headers),
    "__init__": lambda cls, response, headers: response.__init__("new", 201, headers),
    "init_headers": lambda cls, response, headers: response.init_headers(headers),
}


def _given_outcome(cls, call, headers):
    """(outcome, the list call made) of call on a built response of cls; a
    refusal must leave the very list the response had."""
    response = cls("body", headers={"x-pre": "1", "X-A": "0"})
    raw = response.raw_headers
    before = list(raw)
    result = outcome(lambda: _GIVEN_CALLS[call](cls, response, headers))
    if result[0] == "err":
        assert response.raw_headers is raw and raw == before, result
        return result, None
    made = result[1] if call == "construct" else response
    return ("ok",), made.raw_headers


@pytest.mark.parametrize("call", list(_GIVEN_CALLS))
@pytest.mark.parametrize("mapping", ["dict", "mapping"])
@pytest.mark.parametrize("position", list(_GIVEN_POSITIONS))
@pytest.mark.parametrize("bad", list(_GIVEN_BAD))
def test_several_headers_refused_anywhere_write_nothing(impl, references, call, mapping,
                                                        position, bad):
    items = list(_GIVEN)
    items.insert(_GIVEN_POSITIONS[position], _GIVEN_BAD[bad])
    # A dict (the compiled module reads it itself) and a mapping that is not one.
    headers = dict(items) if mapping == "dict" else MappingProxyType(dict(items))
    results = []
    for side in (impl, *references):
        for cls in (side.classes.Response, side.classes.PlainTextResponse, side.classes.JSONResponse):
            result, _ = _given_outcome(cls, call, headers)
            assert result[0] == "err" and result[1] in (ValueError, UnicodeEncodeError), result
            results.append(result)
    fastresp.install()
    try:
        results.append(_given_outcome(sr.Response, call, headers)[0])
    finally:
        fastresp.uninstall()
    assert all(result == results[0] for result in results), results


@pytest.mark.parametrize("call", list(_GIVEN_CALLS))
def test_several_headers_accepted_are_starlettes(impl, oracle, call):
    expected = _given_outcome(oracle.Response, call, dict(_GIVEN))
    assert _given_outcome(impl.classes.Response, call, dict(_GIVEN)) == expected
    fastresp.install()
    try:
        installed = _given_outcome(sr.Response, call, dict(_GIVEN))
    finally:
        fastresp.uninstall()
    assert installed == expected


def test_refused_redirect_location_header(impl):
    """A given location header with CR/LF is refused even though the redirect would
    replace it (the hardening looks at every given header)."""
    with pytest.raises(ValueError, match="location"):
        impl.classes.RedirectResponse("/ok", headers={"location": "/a\r\nx: y"})


def test_no_partial_header_after_many_refusals(impl, frozen_time):
    """A response that saw every kind of refusal holds exactly what the accepted
    calls wrote, in order."""
    response = impl.classes.Response(b"body", headers={"x-pre": "1"})
    expected = list(response.raw_headers)
    for kwargs, error, _ in COOKIE_REFUSALS:
        if error is None:
            continue
        with pytest.raises(error):
            response.set_cookie(**kwargs)
        response.set_cookie("ok", "1")
        expected.append((b"set-cookie", b"ok=1; Path=/; SameSite=lax"))
    assert response.raw_headers == expected
