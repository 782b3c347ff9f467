"""render() and the five response classes: the same body and headers as starlette.

Every test runs against both implementations (the ``impl`` fixture); the
expected values are either literals or what starlette itself builds.
"""

from __future__ import annotations

import array
import json
from collections import OrderedDict

import pytest
import starlette.responses
from starlette.datastructures import URL


def test_none_renders_empty(impl):
    response = impl.classes.Response(None)
    assert response.body == b""
    assert type(response.body) is bytes
    assert response.raw_headers == [(b"content-length", b"0")]


def test_render_method_called_directly(impl, oracle, run):
    response = impl.classes.Response()
    assert response.render(None) == b""
    assert response.render("é") == "é".encode("utf-8")
    data = b"payload"
    assert response.render(data) is data
    expected = run(oracle.Response().render, 12)
    assert expected[0] == "err"
    assert run(response.render, 12) == expected


@pytest.mark.parametrize("data", [b"", b"hello", b"\x00\xff" * 5000], ids=["empty", "short", "big"])
def test_bytes_identity(impl, data):
    response = impl.classes.Response(data)
    assert response.body is data
    assert response.raw_headers == [(b"content-length", str(len(data)).encode())]


def test_bytes_subclass_is_kept(impl, oracle):
    class Blob(bytes):
        pass

    data = Blob(b"abc")
    response = impl.classes.Response(data)
    expected = oracle.Response(data)
    assert response.body == expected.body == b"abc"
    assert type(response.body) is type(expected.body)
    assert response.raw_headers == expected.raw_headers


@pytest.mark.parametrize("text", ["", "plain", "é ü ß", "日本語", "\U0001f600" * 3])
def test_str_encoded_with_charset(impl, text):
    response = impl.classes.Response(text)
    assert response.body == text.encode("utf-8")
    assert response.raw_headers == [(b"content-length", str(len(text.encode("utf-8"))).encode())]


def test_str_subclass_is_delegated(impl, oracle):
    class Text(str):
        def encode(self, *args, **kwargs):  # starlette calls content.encode
            return b"custom:" + str.encode(self, *args, **kwargs)

    expected = oracle.Response(Text("x"))
    got = impl.classes.Response(Text("x"))
    assert got.body == expected.body == b"custom:x"
    assert got.raw_headers == expected.raw_headers


def test_lone_surrogate_in_content(impl, oracle):
    with pytest.raises(UnicodeEncodeError) as expected:
        oracle.Response("a\ud800b")
    with pytest.raises(UnicodeEncodeError) as got:
        impl.classes.Response("a\ud800b")
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("make", [
    lambda: memoryview(b"view"),
    lambda: memoryview(b"0123456789")[::2],                 # not contiguous
    lambda: memoryview(array.array("i", [1, 2, 3])),        # items of 4 bytes
    lambda: memoryview(bytearray(b"mutable")),
], ids=["bytes", "strided", "int-array", "bytearray"])
def test_memoryview_delegated_to_starlette(impl, oracle, make):
    """starlette 0.49 returns the view as it is, 1.x casts it to bytes or copies a
    strided one: fastresp does whatever the installed starlette does."""
    expected = oracle.Response(make())
    got = impl.classes.Response(make())
    assert type(got.body) is type(expected.body)
    assert bytes(got.body) == bytes(expected.body)
    if isinstance(expected.body, memoryview):
        assert got.body.format == expected.body.format
        assert got.body.shape == expected.body.shape
    assert got.raw_headers == expected.raw_headers


def test_memoryview_same_object_when_starlette_keeps_it(impl, oracle):
    view = memoryview(b"abc")
    expected = oracle.Response(view)
    got = impl.classes.Response(view)
    assert (got.body is view) == (expected.body is view)


@pytest.mark.parametrize("content", [12, 1.5, bytearray(b"x"), ["list"], object()],
                         ids=["int", "float", "bytearray", "list", "object"])
def test_other_content_errors_like_starlette(impl, oracle, run, content):
    expected = run(oracle.Response, content)
    got = run(impl.classes.Response, content)
    assert expected[0] == "err"
    assert got == expected


# ------------------------------------------------------- subclass overrides


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "ascii", "cp1252", "UTF-8"])
def test_subclass_charset(impl, oracle, run, charset):
    text = "café"

    def make(base):
        return type("Custom", (base,), {"charset": charset, "media_type": "text/plain"})

    expected = run(lambda: (lambda r: (r.body, r.raw_headers))(make(oracle.Response)(text)))
    got = run(lambda: (lambda r: (r.body, r.raw_headers))(make(impl.classes.Response)(text)))
    assert got[:2] == expected[:2]
    if expected[0] == "err":
        assert got[1] is expected[1]
    else:
        assert got == expected


def test_subclass_charset_literal(impl):
    class Latin(impl.classes.PlainTextResponse):
        charset = "latin-1"

    response = Latin("é")
    assert response.body == b"\xe9"
    assert response.raw_headers == [
        (b"content-length", b"1"), (b"content-type", b"text/plain; charset=latin-1")]


def test_unknown_charset_raises_lookup_error(impl, oracle):
    def make(base):
        return type("Custom", (base,), {"charset": "no-such-codec"})

    with pytest.raises(LookupError) as expected:
        make(oracle.Response)("x")
    with pytest.raises(LookupError) as got:
        make(impl.classes.Response)("x")
    assert str(got.value) == str(expected.value)


def test_instance_charset_set_before_init(impl, oracle):
    """A subclass that sets self.charset before calling Response.__init__: render and
    the content-type both use the instance's charset, as in starlette."""
    def make(base):
        class Custom(base):
            media_type = "text/plain"

            def __init__(self, content, charset):
                self.charset = charset
                super().__init__(content)

        return Custom

    for charset in ("latin-1", "utf-16"):
        expected = make(oracle.Response)("é", charset)
        got = make(impl.classes.Response)("é", charset)
        assert got.body == expected.body == "é".encode(charset)
        assert got.raw_headers == expected.raw_headers
        assert (b"content-type", f"text/plain; charset={charset}".encode()) in got.raw_headers


def test_instance_media_type_set_before_init(impl, oracle):
    def make(base):
        class Custom(base):
            def __init__(self, content):
                self.media_type = "text/csv"
                super().__init__(content)

        return Custom

    expected = make(oracle.Response)("a,b")
    got = make(impl.classes.Response)("a,b")
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"3"), (b"content-type", b"text/csv; charset=utf-8")]


@pytest.mark.parametrize("media_type", [None, "application/xml", "text/markdown",
                                        "TEXT/CSV", "text/html; charset=ascii"])
def test_subclass_media_type(impl, oracle, media_type):
    def make(base):
        return type("Custom", (base,), {"media_type": media_type})

    expected = make(oracle.Response)("<a/>")
    got = make(impl.classes.Response)("<a/>")
    assert got.raw_headers == expected.raw_headers


def test_subclass_media_type_property(impl, oracle):
    def make(base):
        class Custom(base):
            calls = 0

            @property
            def media_type(self):
                type(self).calls += 1
                return "text/x-prop"

        return Custom

    expected_cls, got_cls = make(oracle.Response), make(impl.classes.Response)
    expected, got = expected_cls("x"), got_cls("x")
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"1"), (b"content-type", b"text/x-prop; charset=utf-8")]
    assert got_cls.calls == expected_cls.calls


def test_subclass_media_type_argument_overrides_class(impl, oracle):
    expected = oracle.HTMLResponse("x", media_type="text/plain")
    got = impl.classes.HTMLResponse("x", media_type="text/plain")
    assert got.media_type == "text/plain"
    assert got.raw_headers == expected.raw_headers


def test_subclass_render_override(impl, oracle):
    def make(base):
        class Upper(base):
            media_type = "text/plain"

            def render(self, content):
                return content.upper().encode(self.charset)

        return Upper

    expected = make(oracle.Response)("shout")
    got = make(impl.classes.Response)("shout")
    assert got.body == expected.body == b"SHOUT"
    assert got.raw_headers == expected.raw_headers


def test_subclass_render_returning_memoryview(impl, oracle):
    def make(base):
        class View(base):
            def render(self, content):
                return memoryview(content)

        return View

    expected = make(oracle.Response)(b"abcd")
    got = make(impl.classes.Response)(b"abcd")
    assert type(got.body) is memoryview and bytes(got.body) == b"abcd"
    assert got.raw_headers == expected.raw_headers


def test_subclass_init_headers_override(impl, oracle):
    def make(base):
        class Extra(base):
            def init_headers(self, headers=None):
                super().init_headers(headers)
                self.raw_headers.append((b"x-extra", b"1"))

        return Extra

    expected = make(oracle.Response)("x", headers={"a": "b"})
    got = make(impl.classes.Response)("x", headers={"a": "b"})
    assert got.raw_headers == expected.raw_headers == [
        (b"a", b"b"), (b"content-length", b"1"), (b"x-extra", b"1")]


def test_subclass_init_headers_replacing(impl):
    class Fixed(impl.classes.Response):
        def init_headers(self, headers=None):
            self.raw_headers = [(b"x-only", b"this")]

    assert Fixed("body", headers={"a": "b"}).raw_headers == [(b"x-only", b"this")]


def test_subclass_class_attribute_changed_later(impl, oracle):
    """A class modified after responses were built: the change is honoured."""
    def make(base):
        return type("Mutable", (base,), {"media_type": "text/plain", "charset": "utf-8"})

    expected_cls, got_cls = make(oracle.Response), make(impl.classes.Response)
    for _ in range(3):
        assert got_cls("é").raw_headers == expected_cls("é").raw_headers
    for cls in (expected_cls, got_cls):
        cls.charset = "latin-1"
        cls.media_type = "text/html"
    expected, got = expected_cls("é"), got_cls("é")
    assert got.body == expected.body == b"\xe9"
    assert got.raw_headers == expected.raw_headers
    for cls in (expected_cls, got_cls):
        cls.render = lambda self, content: b"patched"
    assert got_cls("é").body == expected_cls("é").body == b"patched"
    assert got_cls("é").raw_headers == expected_cls("é").raw_headers


def test_subclass_init_sets_attributes_after_super(impl, oracle):
    def make(base):
        class Late(base):
            def __init__(self, content):
                super().__init__(content)
                self.status_code = 201
                self.raw_headers.append((b"x-late", b"1"))

        return Late

    expected = make(oracle.Response)("x")
    got = make(impl.classes.Response)("x")
    assert got.status_code == expected.status_code == 201
    assert got.raw_headers == expected.raw_headers


def test_status_code_property_subclass(impl, oracle):
    """A data descriptor for status_code: init_headers reads it back through it."""
    def make(base):
        class Forced(base):
            @property
            def status_code(self):
                return 204

            @status_code.setter
            def status_code(self, value):
                pass

        return Forced

    expected = make(oracle.Response)(b"abc", status_code=200)
    got = make(impl.classes.Response)(b"abc", status_code=200)
    assert got.raw_headers == expected.raw_headers == []


def test_body_property_subclass(impl, oracle):
    def make(base):
        class Doubled(base):
            @property
            def body(self):
                return self._body * 2

            @body.setter
            def body(self, value):
                self._body = value

        return Doubled

    expected = make(oracle.Response)(b"abc")
    got = make(impl.classes.Response)(b"abc")
    assert got.body == expected.body == b"abcabc"
    assert got.raw_headers == expected.raw_headers == [(b"content-length", b"6")]


def test_getattribute_subclass(impl, oracle):
    def make(base):
        class Sneaky(base):
            def __getattribute__(self, name):
                if name == "charset":
                    return "latin-1"
                return super().__getattribute__(name)

        return Sneaky

    expected = make(oracle.PlainTextResponse)("é")
    got = make(impl.classes.PlainTextResponse)("é")
    assert got.body == expected.body == b"\xe9"
    assert got.raw_headers == expected.raw_headers


def test_background_kept(impl):
    task = object()
    assert impl.classes.Response("x", background=task).background is task
    assert impl.classes.Response("x").background is None


# ------------------------------------------------------------ subclasses


@pytest.mark.parametrize("name, media", [
    ("HTMLResponse", b"text/html; charset=utf-8"),
    ("PlainTextResponse", b"text/plain; charset=utf-8"),
])
def test_text_classes(impl, oracle, name, media):
    got = getattr(impl.classes, name)("<p>é</p>", status_code=201, headers={"X-A": "1"})
    expected = getattr(oracle, name)("<p>é</p>", status_code=201, headers={"X-A": "1"})
    assert got.raw_headers == expected.raw_headers == [
        (b"x-a", b"1"), (b"content-length", b"9"), (b"content-type", media)]
    assert got.body == expected.body
    assert got.status_code == 201


@pytest.mark.parametrize("content", [
    {"a": 1, "b": [1, 2.5, None, True]}, [], "é", 0, None, {"ünï": "cödé"},
    OrderedDict([("z", 1), ("a", 2)]),
])
def test_json(impl, oracle, content):
    got = impl.classes.JSONResponse(content)
    expected = oracle.JSONResponse(content)
    assert got.body == expected.body
    assert got.body == json.dumps(content, ensure_ascii=False, allow_nan=False,
                                  separators=(",", ":")).encode("utf-8")
    assert got.raw_headers == expected.raw_headers
    assert got.raw_headers[-1] == (b"content-type", b"application/json")


def test_json_requires_content(impl, oracle):
    with pytest.raises(TypeError):
        oracle.JSONResponse()
    with pytest.raises(TypeError):
        impl.classes.JSONResponse()


def test_json_keyword_arguments(impl, oracle):
    kwargs = dict(content=[1], status_code=202, headers={"X": "y"}, media_type="application/vnd+json")
    got, expected = impl.classes.JSONResponse(**kwargs), oracle.JSONResponse(**kwargs)
    assert (got.body, got.raw_headers, got.status_code) == (
        expected.body, expected.raw_headers, expected.status_code)


@pytest.mark.parametrize("content", [float("nan"), {"a": object()}, {1j: 1}])
def test_json_errors(impl, oracle, run, content):
    expected = run(oracle.JSONResponse, content)
    got = run(impl.classes.JSONResponse, content)
    assert expected[0] == "err" and got == expected


def test_json_subclass_render(impl, oracle):
    def make(base):
        class Pretty(base):
            def render(self, content):
                return json.dumps(content, indent=2).encode()

        return Pretty

    got, expected = make(impl.classes.JSONResponse)({"a": 1}), make(oracle.JSONResponse)({"a": 1})
    assert got.body == expected.body == b'{\n  "a": 1\n}'
    assert got.raw_headers == expected.raw_headers


# ------------------------------------------------------------- redirects


@pytest.mark.parametrize("url, location", [
    ("/", b"/"),
    ("https://example.org/a?b=c#d", b"https://example.org/a?b=c#d"),
    ("/path with spaces", b"/path%20with%20spaces"),
    ("/é?q=ü", b"/%C3%A9?q=%C3%BC"),
    ("/already%20quoted", b"/already%20quoted"),
    ("/a\r\nSet-Cookie: x=y", b"/a%0D%0ASet-Cookie:%20x=y"),
    ("/\x00\x7f\"<>\\^`{|}", b"/%00%7F%22%3C%3E%5C%5E%60%7B%7C%7D"),
    ("/:/%#?=@[]!$&'()*+,;~_.-", b"/:/%#?=@[]!$&'()*+,;~_.-"),
    ("", b""),
    ("/" + "x" * 5000, b"/" + b"x" * 5000),
    ("/\U0001f600", b"/%F0%9F%98%80"),
])
def test_redirect_quoting(impl, oracle, url, location):
    got = impl.classes.RedirectResponse(url)
    expected = oracle.RedirectResponse(url)
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"0"), (b"location", location)]
    assert got.status_code == 307
    assert got.body == b""


@pytest.mark.parametrize("url", [
    URL("https://example.org/p?q=1 2"),
    URL("/relative"),
    42,
    type("Url", (), {"__str__": lambda self: "/from str()"})(),
    type("Sub", (str,), {})("/sub class"),
    type("Sub", (str,), {"__str__": lambda self: "/own str"})("/ignored"),
], ids=["starlette-URL", "relative-URL", "int", "object", "str-subclass", "str-subclass-str"])
def test_redirect_non_str_url(impl, oracle, url):
    got = impl.classes.RedirectResponse(url)
    expected = oracle.RedirectResponse(url)
    assert got.raw_headers == expected.raw_headers
    assert dict(got.raw_headers)[b"location"] == dict(expected.raw_headers)[b"location"]


def test_redirect_str_subclass_literal(impl):
    url = type("Sub", (str,), {"__str__": lambda self: "/own str"})("/ignored")
    assert impl.classes.RedirectResponse(url).raw_headers[-1] == (b"location", b"/own%20str")


def test_redirect_lone_surrogate(impl, oracle, run):
    expected = run(oracle.RedirectResponse, "/\ud800")
    got = run(impl.classes.RedirectResponse, "/\ud800")
    assert expected[0] == "err"
    assert got == expected


@pytest.mark.parametrize("headers", [
    {"location": "/old"},
    {"Location": "/old", "X-A": "1"},
    {"LOCATION": "/old", "content-length": "5"},
    {"Location": "/a", "x": "1", "location": "/b", "LOCATION": "/c"},
], ids=["lower", "title", "upper", "case-duplicates"])
def test_redirect_replaces_given_location(impl, oracle, headers):
    got = impl.classes.RedirectResponse("/new", headers=headers)
    expected = oracle.RedirectResponse("/new", headers=headers)
    assert got.raw_headers == expected.raw_headers
    assert [value for name, value in got.raw_headers if name == b"location"] == [b"/new"]


def test_redirect_duplicate_locations(impl, oracle):
    """Several location headers (a mapping with case-variant duplicates): the first
    is replaced in place, the others removed, as MutableHeaders.__setitem__ does."""
    from starlette.datastructures import Headers
    headers = Headers(raw=[(b"x-a", b"1"), (b"location", b"/one"), (b"x-b", b"2"),
                           (b"location", b"/two"), (b"location", b"/three")])
    got = impl.classes.RedirectResponse("/new", status_code=302, headers=headers)
    expected = oracle.RedirectResponse("/new", status_code=302, headers=headers)
    assert got.raw_headers == expected.raw_headers == [
        (b"x-a", b"1"), (b"location", b"/new"), (b"x-b", b"2"), (b"content-length", b"0")]


@pytest.mark.parametrize("status_code", [301, 302, 303, 307, 308, 200, 204, 304, 100])
def test_redirect_status(impl, oracle, status_code):
    got = impl.classes.RedirectResponse("/x", status_code=status_code)
    expected = oracle.RedirectResponse("/x", status_code=status_code)
    assert got.status_code == status_code
    assert got.raw_headers == expected.raw_headers


def test_redirect_keywords_and_background(impl, oracle):
    task = object()
    got = impl.classes.RedirectResponse(url="/k", status_code=303, headers={"a": "b"}, background=task)
    expected = oracle.RedirectResponse(url="/k", status_code=303, headers={"a": "b"}, background=task)
    assert got.raw_headers == expected.raw_headers
    assert got.background is task


def test_redirect_subclass_headers_property(impl, oracle):
    """A subclass overriding ``headers``: the location goes through it, as in starlette."""
    from starlette.datastructures import MutableHeaders

    def make(base):
        class Logged(base):
            seen = []

            @property
            def headers(self):
                headers = MutableHeaders(raw=self.raw_headers)
                type(self).seen.append("headers")
                return headers

        return Logged

    got_cls, expected_cls = make(impl.classes.RedirectResponse), make(oracle.RedirectResponse)
    got, expected = got_cls("/a b"), expected_cls("/a b")
    assert got.raw_headers == expected.raw_headers
    assert got_cls.seen == expected_cls.seen == ["headers"]


def test_redirect_subclass_init(impl, oracle):
    def make(base):
        class Home(base):
            def __init__(self):
                super().__init__("/home", status_code=303, headers={"x-why": "login"})

        return Home

    assert make(impl.classes.RedirectResponse)().raw_headers == make(oracle.RedirectResponse)().raw_headers


# ---------------------------------------------------------------- classes


@pytest.mark.parametrize("name", ["Response", "HTMLResponse", "PlainTextResponse",
                                  "JSONResponse", "RedirectResponse"])
def test_isinstance_of_starlette(impl, name):
    cls = getattr(impl.classes, name)
    assert issubclass(cls, getattr(starlette.responses, name))
    assert issubclass(cls, starlette.responses.Response)
    assert issubclass(cls, impl.classes.Response)
    args = ("/x",) if name == "RedirectResponse" else ({"a": 1} if name == "JSONResponse" else "x",)
    response = cls(*args)
    assert isinstance(response, getattr(starlette.responses, name))
    assert isinstance(response, starlette.responses.Response)
    assert cls.media_type == getattr(starlette.responses, name).media_type
    assert cls.charset == "utf-8"


def test_public_classes_are_the_active_implementation():
    import fastresp
    from fastresp import _impl

    assert fastresp.Response.render is _impl.ACTIVE.headers.render
    assert fastresp.Response.set_cookie is _impl.ACTIVE.cookie.set_cookie
    assert fastresp.RedirectResponse.__init__ is _impl.ACTIVE.headers.redirect_init
    for name in ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse"):
        cls = getattr(fastresp, name)
        assert issubclass(cls, getattr(starlette.responses, name))
        assert cls.__module__ == "fastresp"
        assert cls.__name__ == name


def test_subclass_setattr_override(impl, oracle):
    """A __setattr__ that changes what is stored: init_headers reads back the stored
    values, as in starlette."""
    def make(base):
        class Stored(base):
            def __setattr__(self, name, value):
                if name == "status_code":
                    value = 204
                elif name == "media_type":
                    value = "text/x-set"
                super().__setattr__(name, value)

        return Stored

    expected = make(oracle.Response)(b"abc", status_code=200, media_type="a/b")
    got = make(impl.classes.Response)(b"abc", status_code=200, media_type="a/b")
    assert got.status_code == expected.status_code == 204
    assert got.raw_headers == expected.raw_headers == [
        (b"content-type", b"text/x-set; charset=utf-8")]


def test_base_class_modified_after_use(impl, oracle):
    """Changing an intermediate base class reaches subclasses already used."""
    def make(base):
        middle = type("Middle", (base,), {"media_type": "text/plain"})
        return middle, type("Leaf", (middle,), {})

    (got_middle, got_leaf), (exp_middle, exp_leaf) = make(impl.classes.Response), make(oracle.Response)
    for _ in range(3):
        assert got_leaf("é").raw_headers == exp_leaf("é").raw_headers
    for middle in (got_middle, exp_middle):
        middle.charset = "latin-1"
    assert got_leaf("é").body == exp_leaf("é").body == b"\xe9"
    assert got_leaf("é").raw_headers == exp_leaf("é").raw_headers
    for middle in (got_middle, exp_middle):
        middle.init_headers = lambda self, headers=None: setattr(self, "raw_headers", [(b"x", b"1")])
    assert got_leaf("é").raw_headers == exp_leaf("é").raw_headers == [(b"x", b"1")]


@pytest.mark.parametrize("cls_name, method", [
    ("Response", "__init__"), ("Response", "render"), ("Response", "init_headers"),
    ("Response", "set_cookie"), ("Response", "delete_cookie"),
    ("JSONResponse", "__init__"), ("RedirectResponse", "__init__"),
])
def test_signatures_match_starlette(impl, oracle, cls_name, method):
    """Same parameter names, kinds and defaults as the installed starlette's
    (partitioned included exactly where this release takes it)."""
    import inspect

    def params(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    got = params(getattr(getattr(impl.classes, cls_name), method))
    expected = params(getattr(getattr(oracle, cls_name), method))
    assert got == expected
