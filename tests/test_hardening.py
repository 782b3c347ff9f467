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
from http.cookies import CookieError

import pytest

from fastresp._common import SameSiteError

CONTROL_CHARS = [chr(code) for code in range(0x20)] + ["\x7f"]
HEADER_FORBIDDEN = ["\r", "\n", "\0"]


class OwnStr:
    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def _refused(impl, python_impl, run, call):
    """Run call(response) on a fresh response of each implementation: the error,
    checked to be the same in both and to leave raw_headers untouched."""
    outcomes = []
    for implementation in (impl, python_impl):
        response = implementation.Response(b"x", headers={"x-a": "1"})
        before = list(response.raw_headers)
        before_list = response.raw_headers
        result = run(call, response)
        assert response.raw_headers is before_list
        assert response.raw_headers == before
        outcomes.append(result)
    assert outcomes[0] == outcomes[1], outcomes
    assert outcomes[0][0] == "err", outcomes[0]
    return outcomes[0]


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
def test_control_char_in_cookie_field(impl, python_impl, run, field, char):
    kwargs = COOKIE_FIELDS[field](char)
    error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k", **kwargs))
    assert error[1] is CookieError
    assert f"cookie {field} " in error[2], error[2]
    assert "control characters" in error[2]


@pytest.mark.parametrize("char", CONTROL_CHARS, ids=[f"{ord(c):#04x}" for c in CONTROL_CHARS])
def test_control_char_as_whole_value_and_last_attribute(impl, python_impl, run, char):
    """Even where starlette's .strip() would drop it (trailing, last attribute)."""
    for kwargs, field in [({"value": char}, "value"),
                          ({"path": "/" + char, "samesite": None}, "path"),
                          ({"domain": "d" + char, "path": None, "samesite": None}, "domain")]:
        error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k", **kwargs))
        assert error[1] is CookieError
        assert f"cookie {field} " in error[2]


@pytest.mark.parametrize("char", ["\t", "\n", "\x7f"], ids=["tab", "lf", "del"])
def test_control_char_in_samesite(impl, python_impl, run, char):
    error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k", samesite="lax" + char))
    # Not one of strict/lax/none: the samesite check refuses it first.
    assert error[1] is SameSiteError


def test_control_char_in_samesite_str(impl, python_impl, run):
    class Sneaky(str):
        def __str__(self):
            return "lax\r\nx"

    error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k", samesite=Sneaky("lax")))
    assert error[1] is CookieError and "cookie samesite " in error[2]


@pytest.mark.parametrize("char", CONTROL_CHARS[:3] + ["\x1f", "\x7f"])
def test_control_char_in_name(impl, python_impl, run, char):
    error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k" + char, "v"))
    assert error[1] is CookieError
    assert "Illegal key" in error[2]


def test_control_char_in_name_str(impl, python_impl, run):
    """A legal str subclass key whose str() holds a control character."""
    class Sneaky(str):
        def __str__(self):
            return "k\nSet-Cookie: evil=1"

    error = _refused(impl, python_impl, run, lambda r: r.set_cookie(Sneaky("k"), "v"))
    assert error[1] is CookieError and "cookie name " in error[2]


@pytest.mark.parametrize("field, kwargs", [
    ("value", {"value": OwnStr("a\nb")}),
    ("value", {"value": b"ok"}),  # str(b"...") has no control character: accepted
    ("domain", {"domain": OwnStr("\x00")}),
    ("path", {"path": OwnStr("/\r")}),
    ("expires", {"expires": OwnStr("\x01")}),
    ("max_age", {"max_age": OwnStr("\x7f")}),
])
def test_control_char_in_str_of_objects(impl, python_impl, run, field, kwargs):
    if kwargs.get("value") == b"ok":
        response = impl.Response()
        response.set_cookie("k", **kwargs)
        assert response.raw_headers[-1] == (b"set-cookie", b"k=b'ok'; Path=/; SameSite=lax")
        return
    error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k", **kwargs))
    assert error[1] is CookieError and f"cookie {field} " in error[2]


def test_control_char_message_is_short_for_huge_values(impl, python_impl, run):
    error = _refused(impl, python_impl, run, lambda r: r.set_cookie("k", "\n" + "x" * 100000))
    assert error[1] is CookieError
    assert len(error[2]) < 300


def test_control_chars_in_skipped_fields_are_fine(impl, oracle):
    """Attributes that are not written are not checked (None, "")."""
    got, expected = impl.Response(), oracle.Response()
    for response in (got, expected):
        response.set_cookie("k", "v", path=None, domain=None, samesite=None, expires=None)
    assert got.raw_headers == expected.raw_headers


def test_delete_cookie_control_chars(impl, python_impl, run):
    error = _refused(impl, python_impl, run, lambda r: r.delete_cookie("k", path="/\n"))
    assert error[1] is CookieError and "cookie path " in error[2]
    error = _refused(impl, python_impl, run, lambda r: r.delete_cookie("k", domain="\x00"))
    assert error[1] is CookieError and "cookie domain " in error[2]


def test_cookie_value_function_control_char(impl, python_impl, run):
    got = run(impl.cookie.cookie_value, "k", "v", path="/\r\n")
    assert got[0] == "err" and got[1] is CookieError
    assert got == run(python_impl.cookie.cookie_value, "k", "v", path="/\r\n")


# --------------------------------------------------------------- headers


@pytest.mark.parametrize("char", HEADER_FORBIDDEN, ids=["cr", "lf", "nul"])
@pytest.mark.parametrize("where", ["name", "value", "name-end", "value-start", "second"])
def test_forbidden_in_header(impl, python_impl, run, char, where):
    headers = {
        "name": {"x-a" + char + "b": "v"},
        "value": {"x-a": "v" + char + "injected: 1"},
        "name-end": {"x-a" + char: "v"},
        "value-start": {"x-a": char},
        "second": {"x-ok": "fine", "x-bad": "v" + char},
    }[where]
    outcomes = [run(i.Response, b"body", headers=headers) for i in (impl, python_impl)]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "err" and outcomes[0][1] is ValueError
    assert "CR, LF or NUL" in outcomes[0][2]
    field = "header name" if where.startswith("name") else "value of header"
    assert field in outcomes[0][2]


@pytest.mark.parametrize("char", HEADER_FORBIDDEN, ids=["cr", "lf", "nul"])
@pytest.mark.parametrize("mapping", ["dict", "Headers", "custom"])
def test_forbidden_in_header_any_mapping(impl, python_impl, run, char, mapping):
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
    outcomes = [run(i.Response, b"", headers=headers) for i in (impl, python_impl)]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "err" and outcomes[0][1] is ValueError
    assert "value of header 'x-b'" in outcomes[0][2]


@pytest.mark.parametrize("char", HEADER_FORBIDDEN, ids=["cr", "lf", "nul"])
def test_forbidden_in_media_type(impl, python_impl, run, char):
    for media_type in ("text/html" + char, "application/json" + char + "x", char):
        outcomes = [run(i.Response, b"", media_type=media_type) for i in (impl, python_impl)]
        assert outcomes[0] == outcomes[1]
        assert outcomes[0][0] == "err" and outcomes[0][1] is ValueError
        assert "media_type" in outcomes[0][2]


@pytest.mark.parametrize("char", HEADER_FORBIDDEN, ids=["cr", "lf", "nul"])
def test_forbidden_in_class_media_type(impl, python_impl, run, char):
    def make(implementation):
        return type("Bad", (implementation.Response,), {"media_type": "text/x" + char})

    outcomes = [run(make(i), "x") for i in (impl, python_impl)]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "err" and outcomes[0][1] is ValueError
    assert "media_type" in outcomes[0][2]


@pytest.mark.parametrize("char", HEADER_FORBIDDEN, ids=["cr", "lf", "nul"])
def test_forbidden_in_charset(impl, python_impl, run, char):
    """The charset is written into content-type for text/*: it must not split it."""
    def make(implementation):
        return type("Bad", (implementation.Response,), {"charset": "utf-8" + char})

    outcomes = [run(make(i), b"x", media_type="text/plain") for i in (impl, python_impl)]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "err" and outcomes[0][1] is ValueError


def test_forbidden_media_type_unused_is_fine(impl, oracle):
    """A bad media_type that is never written (content-type given) is not an error."""
    got = impl.Response(b"", media_type="text/\r\n", headers={"content-type": "a/b"})
    expected = oracle.Response(b"", media_type="text/\r\n", headers={"content-type": "a/b"})
    assert got.raw_headers == expected.raw_headers


def test_other_control_chars_in_headers_pass(impl, oracle):
    """Only CR, LF and NUL are refused in headers: tabs and the rest pass as in starlette."""
    headers = {"x-tab": "a\tb", "x-del": "\x7f", "x-esc": "\x1b[0m", "x-vt\x0b": "v"}
    got = impl.Response(b"", headers=headers, media_type="text/\x01")
    expected = oracle.Response(b"", headers=headers, media_type="text/\x01")
    assert got.raw_headers == expected.raw_headers


def test_redirect_url_with_crlf_is_quoted_not_refused(impl, oracle):
    got = impl.RedirectResponse("/a\r\nb\x00")
    expected = oracle.RedirectResponse("/a\r\nb\x00")
    assert got.raw_headers == expected.raw_headers
    assert got.raw_headers[-1] == (b"location", b"/a%0D%0Ab%00")


def test_redirect_with_forbidden_header(impl, python_impl, run):
    outcomes = [run(i.RedirectResponse, "/", headers={"x": "\n"}) for i in (impl, python_impl)]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] is ValueError


# -------------------------------------------------------------- samesite


def test_samesite_error_messages(impl, python_impl, run):
    for samesite in ("bogus", "", "LAXX", "none "):
        outcomes = [run(i.Response().set_cookie, "k", samesite=samesite) for i in (impl, python_impl)]
        assert outcomes[0] == outcomes[1] == (
            "err", SameSiteError, "samesite must be either 'strict', 'lax' or 'none'")


def test_samesite_error_catchable_as_starlette_users_do(impl):
    for exception in (AssertionError, ValueError, SameSiteError):
        with pytest.raises(exception):
            impl.Response().set_cookie("k", samesite="x")


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
from fastresp import _asgi_py, _headers_py, _cookie_py, _json_py
from fastresp._common import SameSiteError
if {impl.compiled!r}:
    from fastresp import _asgi as asgi, _headers as headers, _cookie as cookie, _json as json
else:
    headers, cookie, json, asgi = _headers_py, _cookie_py, _json_py, _asgi_py
from types import SimpleNamespace
from fastresp.responses import make_classes
classes = make_classes(SimpleNamespace(headers=headers, cookie=cookie, json=json, asgi=asgi))
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
def test_refused_call_leaves_raw_headers(impl, python_impl, run, call):
    _refused(impl, python_impl, run, call)
