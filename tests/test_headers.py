"""raw_headers and the headers property: the same list as starlette, in the same order."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import pytest
from starlette.datastructures import Headers, MutableHeaders


class CustomMapping(Mapping):
    """A Mapping that is not a dict, with its own iteration order."""

    def __init__(self, pairs):
        self._pairs = list(pairs)

    def __getitem__(self, key):
        for name, value in self._pairs:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self):
        return iter([name for name, _ in self._pairs])

    def __len__(self):
        return len(self._pairs)


class ItemsOnly:
    """Not a Mapping at all: starlette only calls .items()."""

    def __init__(self, pairs):
        self._pairs = list(pairs)

    def items(self):
        return list(self._pairs)


def both(impl, oracle, make):
    """(fastresp response, starlette response) from make(classes)."""
    return make(impl.classes), make(oracle)


# ------------------------------------------------------------------ order


def test_order_and_case(impl, oracle):
    headers = {"X-Zeta": "1", "x-alpha": "Two", "ACCEPT-RANGES": "Bytes", "x-é": "valüe"}
    got, expected = both(impl, oracle, lambda c: c.HTMLResponse("body", headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"x-zeta", b"1"), (b"x-alpha", b"Two"), (b"accept-ranges", b"Bytes"),
        (b"x-\xe9", b"val\xfce"), (b"content-length", b"4"),
        (b"content-type", b"text/html; charset=utf-8")]


def test_no_headers_no_media_type(impl):
    assert impl.classes.Response(b"abc").raw_headers == [(b"content-length", b"3")]
    assert impl.classes.Response(b"abc", headers={}).raw_headers == [(b"content-length", b"3")]


def test_header_values_keep_case_and_spaces(impl, oracle):
    headers = {"X-A": "  Mixed Case  ", "x-b": ""}
    got, expected = both(impl, oracle, lambda c: c.Response(headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"x-a", b"  Mixed Case  "), (b"x-b", b""), (b"content-length", b"0")]


def test_latin1_names_lowered(impl, oracle):
    headers = {"X-ÀÉÎ": "v", "X-\u212a": "kelvin", "X-\u1e9e": "sharp s"}
    got, expected = both(impl, oracle, lambda c: c.Response(headers=headers))
    assert got.raw_headers == expected.raw_headers
    assert got.raw_headers[:3] == [(b"x-\xe0\xe9\xee", b"v"), (b"x-k", b"kelvin"),
                                   (b"x-\xdf", b"sharp s")]


def test_many_headers(impl, oracle):
    headers = {f"X-Header-{index}": f"value {index}" for index in range(2000)}
    got, expected = both(impl, oracle, lambda c: c.PlainTextResponse("x", headers=headers))
    assert got.raw_headers == expected.raw_headers
    assert len(got.raw_headers) == 2002


def test_big_body(impl, oracle):
    body = b"x" * (3 * 1024 * 1024 + 7)
    got, expected = both(impl, oracle, lambda c: c.Response(body))
    assert got.raw_headers == expected.raw_headers == [(b"content-length", b"3145735")]
    assert got.body is body


@pytest.mark.parametrize("length", [0, 1, 4095, 4096, 4097, 100000])
def test_content_length_values(impl, length):
    assert impl.classes.Response(b"a" * length).raw_headers == [
        (b"content-length", str(length).encode())]


def test_content_length_values_repeated(impl):
    """Cached headers are never shared in a way that leaks between responses."""
    first = impl.classes.Response(b"abc")
    first.raw_headers.append((b"x", b"y"))
    first.headers["content-length"] = "99"
    second = impl.classes.Response(b"abc")
    assert second.raw_headers == [(b"content-length", b"3")]
    first = impl.classes.PlainTextResponse("x")
    first.headers["content-type"] = "text/other"
    assert impl.classes.PlainTextResponse("x").raw_headers[-1] == (
        b"content-type", b"text/plain; charset=utf-8")


# ----------------------------------------------------------- content-length


@pytest.mark.parametrize("status_code, has_length", [
    (100, False), (101, False), (199, False), (200, True), (201, True), (204, False),
    (205, True), (299, True), (303, True), (304, False), (404, True), (500, True),
    (0, False), (-1, False), (-(2 ** 70), False), (2 ** 70, True), (2 ** 63, True),
    (2 ** 63 - 1, True), (-(2 ** 63), False), (10 ** 40, True), (True, False),
    (204.0, False), (200.5, True),
])
def test_content_length_by_status(impl, oracle, status_code, has_length):
    got, expected = both(impl, oracle, lambda c: c.Response(b"abc", status_code=status_code))
    assert got.raw_headers == expected.raw_headers
    assert ((b"content-length", b"3") in got.raw_headers) is has_length
    assert got.status_code is status_code


class WeirdStatus(int):
    def __lt__(self, other):
        return False

    def __eq__(self, other):
        return False

    __hash__ = int.__hash__


def test_content_length_status_int_subclass(impl, oracle):
    for value in (100, 204, 304):
        status = WeirdStatus(value)
        got, expected = both(impl, oracle, lambda c: c.Response(b"ab", status_code=status))
        assert got.raw_headers == expected.raw_headers == [(b"content-length", b"2")]


def test_content_length_bad_status_type(impl, oracle, run):
    expected = run(oracle.Response, b"x", status_code="200")
    got = run(impl.classes.Response, b"x", status_code="200")
    assert expected[0] == "err"
    assert got == expected


def test_status_none_without_body_is_fine(impl, oracle):
    """init_headers only compares the status when there is a body."""
    def make(c):
        class NoBody(c.Response):
            def render(self, content):
                return None
        return NoBody("x", status_code=None)

    got, expected = both(impl, oracle, make)
    assert got.raw_headers == expected.raw_headers == []


@pytest.mark.parametrize("name", ["content-length", "Content-Length", "CONTENT-LENGTH", "cOnTeNt-LeNgTh"])
def test_given_content_length_any_case(impl, oracle, name):
    got, expected = both(impl, oracle, lambda c: c.Response(b"abc", headers={name: "99"}))
    assert got.raw_headers == expected.raw_headers == [(b"content-length", b"99")]


@pytest.mark.parametrize("name", ["content-type", "Content-Type", "CONTENT-TYPE"])
def test_given_content_type_any_case(impl, oracle, name):
    got, expected = both(impl, oracle, lambda c: c.HTMLResponse("x", headers={name: "image/png"}))
    assert got.raw_headers == expected.raw_headers == [
        (b"content-type", b"image/png"), (b"content-length", b"1")]


def test_content_length_named_with_spaces_is_not_content_length(impl, oracle):
    got, expected = both(impl, oracle,
                         lambda c: c.Response(b"abc", headers={"content-length ": "1"}))
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length ", b"1"), (b"content-length", b"3")]


# ------------------------------------------------------------- content-type


@pytest.mark.parametrize("media_type, written", [
    ("text/plain", b"text/plain; charset=utf-8"),
    ("text/html; charset=latin-1", b"text/html; charset=latin-1"),
    ("text/html; CHARSET=latin-1", b"text/html; CHARSET=latin-1"),
    ("text/html; Charset=x", b"text/html; Charset=x"),
    ("text/html;charset=x", b"text/html;charset=x"),
    ("TEXT/plain", b"TEXT/plain"),
    ("text/", b"text/; charset=utf-8"),
    ("text", b"text"),
    ("application/json", b"application/json"),
    ("application/x-charset=1", b"application/x-charset=1"),
    ("image/svg+xml", b"image/svg+xml"),
    ("", b""),
    ("text/ é", b"text/ \xe9; charset=utf-8"),
])
def test_media_type_charset_rule(impl, oracle, media_type, written):
    got, expected = both(impl, oracle, lambda c: c.Response(b"", media_type=media_type))
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"0"), (b"content-type", written)]


def test_media_type_str_subclass(impl, oracle):
    class Media(str):
        def startswith(self, prefix, *args):
            return True

        def lower(self):
            return "no charset here"

    got, expected = both(impl, oracle, lambda c: c.Response(b"", media_type=Media("image/png")))
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"0"), (b"content-type", b"image/png; charset=utf-8")]


def test_media_type_non_latin1(impl, oracle, run):
    expected = run(oracle.Response, b"", media_type="text/\u0100")
    got = run(impl.classes.Response, b"", media_type="text/\u0100")
    assert expected[0] == "err" and got[0] == "err" and got[1] is expected[1] is UnicodeEncodeError
    assert "media_type" in got[2]


def test_media_type_not_str(impl, oracle, run):
    for media_type in (b"text/plain", 5, ["text/plain"]):
        expected = run(oracle.Response, b"", media_type=media_type)
        got = run(impl.classes.Response, b"", media_type=media_type)
        assert expected[0] == "err"
        assert got[:2] == expected[:2]


@pytest.mark.parametrize("charset", ["latin-1", "UTF-8", "ascii", "x-custom"])
def test_charset_in_content_type(impl, oracle, charset):
    def make(c):
        return type("Custom", (c.Response,), {"charset": charset})(b"", media_type="text/css")

    got, expected = both(impl, oracle, make)
    assert got.raw_headers == expected.raw_headers
    assert got.raw_headers[-1] == (b"content-type", b"text/css; charset=" + charset.encode())


def test_charset_not_used_for_non_text(impl, oracle):
    def make(c):
        return type("Custom", (c.Response,), {"charset": 12})(b"", media_type="application/json")

    got, expected = both(impl, oracle, make)
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"0"), (b"content-type", b"application/json")]


def test_charset_not_str(impl, oracle, run):
    def make(c):
        return type("Custom", (c.Response,), {"charset": 12})(b"", media_type="text/plain")

    expected, got = run(make, oracle), run(make, impl.classes)
    assert expected[0] == "err" and got[:2] == expected[:2]


# ------------------------------------------------------------ mappings


def test_starlette_headers_mapping(impl, oracle):
    headers = Headers(raw=[(b"x-b", b"2"), (b"x-a", b"1"), (b"x-b", b"3")])
    got, expected = both(impl, oracle, lambda c: c.Response(b"", headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"x-b", b"2"), (b"x-a", b"1"), (b"x-b", b"3"), (b"content-length", b"0")]


def test_starlette_headers_from_dict(impl, oracle):
    headers = Headers(headers={"X-Up": "Value"})
    got, expected = both(impl, oracle, lambda c: c.Response(b"", headers=headers))
    assert got.raw_headers == expected.raw_headers


def test_mutable_headers_mapping(impl, oracle):
    headers = MutableHeaders(raw=[(b"content-length", b"7"), (b"x", b"y")])
    headers["Content-Type"] = "application/x"
    got, expected = both(impl, oracle, lambda c: c.PlainTextResponse("x", headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"content-length", b"7"), (b"x", b"y"), (b"content-type", b"application/x")]


def test_custom_mapping(impl, oracle):
    headers = CustomMapping([("X-Two", "2"), ("X-One", "1"), ("Content-Type", "a/b")])
    got, expected = both(impl, oracle, lambda c: c.HTMLResponse("x", headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"x-two", b"2"), (b"x-one", b"1"), (b"content-type", b"a/b"), (b"content-length", b"1")]


def test_items_only_object(impl, oracle):
    headers = ItemsOnly([("A", "1"), ("a", "2")])
    got, expected = both(impl, oracle, lambda c: c.Response(b"", headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"a", b"1"), (b"a", b"2"), (b"content-length", b"0")]


def test_ordered_dict_and_dict_subclass(impl, oracle):
    class Sub(dict):
        def items(self):
            return reversed(list(super().items()))

    for headers in (OrderedDict([("b", "1"), ("a", "2")]), Sub([("b", "1"), ("a", "2")])):
        got, expected = both(impl, oracle, lambda c: c.Response(b"", headers=headers))
        assert got.raw_headers == expected.raw_headers


def test_str_subclass_names_and_values(impl, oracle):
    class Name(str):
        def lower(self):
            return "x-lowered-by-subclass"

    class Value(str):
        def encode(self, *args):
            return b"encoded-by-subclass"

    headers = {Name("X-A"): Value("v")}
    got, expected = both(impl, oracle, lambda c: c.Response(b"", headers=headers))
    assert got.raw_headers == expected.raw_headers == [
        (b"x-lowered-by-subclass", b"encoded-by-subclass"), (b"content-length", b"0")]


def test_subclass_name_equal_to_a_known_name(impl, oracle):
    """A plain "X-Known" is remembered by the reference; a str subclass equal to
    it still lowers itself its own way (and is refused when that holds CR)."""
    class Name(str):
        def lower(self):
            return "x-own"

    class Bad(str):
        def lower(self):
            return "x-bad\r\nx: y"

    for _ in range(2):
        got, expected = both(impl, oracle, lambda c: c.Response(b"", headers={"X-Known": "1"}))
        assert got.raw_headers == expected.raw_headers
    got, expected = both(impl, oracle, lambda c: c.Response(b"", headers={Name("X-Known"): "1"}))
    assert got.raw_headers == expected.raw_headers == [(b"x-own", b"1"), (b"content-length", b"0")]
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        impl.classes.Response(b"", headers={Bad("X-Known"): "1"})


def test_many_distinct_names(impl, oracle):
    """More names than the reference remembers: still right, and its memory of
    names stays bounded."""
    from fastresp import _headers_py

    for start in range(0, 3 * _headers_py._NAMES_SIZE, 100):
        headers = {f"X-Name-{number}": str(number) for number in range(start, start + 100)}
        headers["Content-Length"] = "0"
        got, expected = both(impl, oracle, lambda c: c.Response(b"", headers=headers))
        assert got.raw_headers == expected.raw_headers
        assert len(_headers_py._names) <= _headers_py._NAMES_SIZE


def test_known_name_with_refused_value(impl, oracle):
    for value in ("ok", "a\rb", "a\nb", "a\0b", "ok"):
        outcome = "ok"
        try:
            impl.classes.Response(b"", headers={"Cache-Control": value})
        except ValueError as error:
            outcome = str(error)
        assert (outcome == "ok") == ("\r" not in value and "\n" not in value and "\0" not in value)
        assert outcome == "ok" or "Cache-Control" in outcome


@pytest.mark.parametrize("headers", [
    {b"x-bytes": "v"}, {"x": b"bytes"}, {"x": 1}, {1: "x"}, {"x": None}, [("a", "b")], "a",
], ids=["bytes-name", "bytes-value", "int-value", "int-name", "none-value", "list", "str"])
def test_wrong_types_error_like_starlette(impl, oracle, run, headers):
    expected = run(oracle.Response, b"", headers=headers)
    got = run(impl.classes.Response, b"", headers=headers)
    assert expected[0] == "err"
    assert got == expected


@pytest.mark.parametrize("headers, field", [
    ({"x-\u0100": "v"}, "header name 'x-\u0100'"),
    ({"x": "\u20ac"}, "value of header 'x'"),
    ({"x": "a\ud800"}, "value of header 'x'"),
    ({"\udcff": "v"}, "header name"),
])
def test_non_latin1_header_text(impl, oracle, run, headers, field):
    expected = run(oracle.Response, b"", headers=headers)
    got = run(impl.classes.Response, b"", headers=headers)
    assert expected[0] == "err" and expected[1] is UnicodeEncodeError
    assert got[0] == "err" and got[1] is UnicodeEncodeError
    assert field in got[2]


# ---------------------------------------------------------- headers property


def test_headers_property_is_mutable_headers_over_raw_list(impl):
    response = impl.classes.PlainTextResponse("x", headers={"X-A": "1"})
    headers = response.headers
    assert isinstance(headers, MutableHeaders)
    assert type(headers) is impl.classes.MutableHeaders
    assert headers.raw is response.raw_headers
    assert response.headers is headers
    assert headers["x-a"] == "1"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    headers["X-B"] = "2"
    del headers["x-a"]
    assert response.raw_headers == [
        (b"content-length", b"1"), (b"content-type", b"text/plain; charset=utf-8"), (b"x-b", b"2")]
    response.raw_headers.append((b"x-c", b"3"))
    assert headers.getlist("x-c") == ["3"]


def test_headers_property_same_as_starlette(impl, oracle):
    got, expected = both(impl, oracle, lambda c: c.HTMLResponse("x", headers={"A": "1", "b": "2"}))
    assert list(got.headers.items()) == list(expected.headers.items())
    assert got.headers == expected.headers


def test_set_cookie_visible_through_headers(impl):
    response = impl.classes.Response()
    headers = response.headers
    response.set_cookie("a", "b")
    assert headers.getlist("set-cookie") == ["a=b; Path=/; SameSite=lax"]


def test_raw_headers_is_a_fresh_list_each_time(impl):
    given = {"a": "b"}
    first, second = impl.classes.Response(headers=given), impl.classes.Response(headers=given)
    assert first.raw_headers is not second.raw_headers
    first.raw_headers.clear()
    assert second.raw_headers == [(b"a", b"b"), (b"content-length", b"0")]
    assert impl.classes.Response().raw_headers is not impl.classes.Response().raw_headers


def test_init_headers_called_again(impl, oracle):
    def make(c):
        response = c.HTMLResponse("x")
        response.body = b"longer"
        response.status_code = 204
        response.init_headers({"X": "y"})
        return response

    got, expected = both(impl, oracle, make)
    assert got.raw_headers == expected.raw_headers == [
        (b"x", b"y"), (b"content-type", b"text/html; charset=utf-8")]


def test_init_headers_without_body_attribute(impl, oracle):
    def make(c):
        response = c.Response.__new__(c.Response)
        response.media_type = "text/plain"
        response.init_headers(None)
        return response.raw_headers

    assert make(impl.classes) == make(oracle) == [(b"content-type", b"text/plain; charset=utf-8")]
