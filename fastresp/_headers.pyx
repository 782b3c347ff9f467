"""Body rendering and the raw header list, compiled.

The common case (no headers or a dict of plain latin-1 str, bytes or str
content) is built here on byte buffers: header names are lowered through a
table and checked for CR, LF and NUL in the same pass that copies them. Any
other mapping, text that is not latin-1 and every refusal go to the reference in
``_headers_py``, which makes the same calls on user objects as starlette and
raises the documented errors. Nothing here runs user code before handing over,
so handing over half-way is always safe.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_Next
from cpython.long cimport PyLong_AsLongAndOverflow
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from cpython.unicode cimport PyUnicode_AsUTF8String
from libc.string cimport memcmp

from . import _common, _headers_py

cdef extern from "Python.h":
    PyObject* _PyType_Lookup(PyTypeObject* type, object name)
    ctypedef struct TypeObject "PyTypeObject":
        unsigned long tp_flags
        unsigned int tp_version_tag
        void* tp_getattro
        void* tp_descr_set
    void* GENERIC_GETATTR "((void*)PyObject_GenericGetAttr)"
    unsigned long Py_TPFLAGS_VALID_VERSION_TAG
    int PyUnicode_KIND(object text)
    const unsigned char* PyUnicode_1BYTE_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    int PyUnicode_1BYTE_KIND

ctypedef unsigned char uchar

cdef uchar LOWER[256]       # str.lower() of each latin-1 character
cdef uchar URL_SAFE[256]    # 1: urllib.parse.quote leaves it alone in a redirect
cdef uchar FORBIDDEN[256]   # 1: refused in a header (CR, LF, NUL)
for _code in range(256):
    LOWER[_code] = _common.LOWER_LATIN1[_code]
    URL_SAFE[_code] = _common.URL_SAFE_BYTES[_code]
    FORBIDDEN[_code] = _common.HEADER_FORBIDDEN_BYTES[_code]

cdef object _starlette_render = _headers_py._starlette_render
cdef object _starlette_json_render = _headers_py._starlette_json_render
cdef object _starlette_headers = _headers_py._starlette_headers
cdef object _given_headers = _headers_py.given_headers
cdef object _content_type_header = _headers_py.content_type_header
cdef object _set_location = _headers_py.set_location
cdef object _quote = _headers_py.quote
cdef str _REDIRECT_SAFE = _common.REDIRECT_SAFE

cdef bytes CONTENT_LENGTH = b"content-length"
cdef bytes CONTENT_TYPE = b"content-type"
cdef str UTF8 = "utf-8"
cdef object RENDER = "render"
cdef object INIT_HEADERS = "init_headers"
cdef object HEADERS = "headers"

# (b"content-length", b"<n>") for small bodies, made once each.
cdef Py_ssize_t LENGTH_CACHE_SIZE = 4096
cdef list _length_headers = [None] * LENGTH_CACHE_SIZE
# media_type -> (charset, (b"content-type", value)): one entry a media type.
cdef dict _type_headers = {}


# -------------------------------------------------------------------- render

cdef object _render_as(object content, object charset, object self):
    """render() with self.charset already read (None: not read yet)."""
    if content is None:
        return b""
    if type(content) is bytes:
        return content
    if type(content) is str:
        if charset is None:
            charset = self.charset
        if charset is UTF8 or charset == UTF8:
            return PyUnicode_AsUTF8String(content)
        return content.encode(charset)
    return _starlette_render(self, content)


def render(self, content):
    return _render_as(content, None, self)


# ------------------------------------------------------------- given headers

cdef inline bint _latin1(object text) noexcept:
    return type(text) is str and PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND


cdef object _header_bytes(object text, bint lower):
    """Latin-1 bytes of text (lower-cased for a name), or None when the text has
    CR, LF or NUL."""
    cdef const uchar* data = PyUnicode_1BYTE_DATA(text)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(text)
    cdef bytes result = PyBytes_FromStringAndSize(NULL, n)
    cdef uchar* out = <uchar*>PyBytes_AS_STRING(result)
    cdef uchar c
    for i in range(n):
        c = data[i]
        if FORBIDDEN[c]:
            return None
        out[i] = LOWER[c] if lower else c
    return result


cdef inline bint _is(bytes name, bytes known) noexcept:
    return len(name) == len(known) and memcmp(
        PyBytes_AS_STRING(name), PyBytes_AS_STRING(known), len(known)) == 0


cdef tuple _dict_headers(dict headers):
    """(raw list, content-length given, content-type given) for a dict of plain
    latin-1 str, or None for the reference to handle."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* key
    cdef PyObject* value
    cdef list raw = []
    cdef bint has_length = False, has_type = False
    while PyDict_Next(headers, &pos, &key, &value):
        if not _latin1(<object>key) or not _latin1(<object>value):
            return None
        name = _header_bytes(<object>key, True)
        data = _header_bytes(<object>value, False)
        if name is None or data is None:
            return None
        has_length = has_length or _is(name, CONTENT_LENGTH)
        has_type = has_type or _is(name, CONTENT_TYPE)
        raw.append((name, data))
    return raw, has_length, has_type


# ------------------------------------------------------------ built headers

cdef bytes _decimal(Py_ssize_t n):
    """str(n).encode() for n >= 0."""
    cdef char digits[24]
    cdef int start = 24
    while True:
        start -= 1
        digits[start] = c'0' + <char>(n % 10)
        n //= 10
        if n == 0:
            break
    return PyBytes_FromStringAndSize(digits + start, 24 - start)


cdef tuple _length_header(Py_ssize_t length):
    if length >= LENGTH_CACHE_SIZE:
        return (CONTENT_LENGTH, _decimal(length))
    header = _length_headers[length]
    if header is None:
        header = _length_headers[length] = (CONTENT_LENGTH, _decimal(length))
    return header


cdef bint _has_length(object status_code) except -1:
    """starlette's ``not (status_code < 200 or status_code in (204, 304))``."""
    cdef int overflow = 0
    cdef long status
    if type(status_code) is int:
        status = PyLong_AsLongAndOverflow(status_code, &overflow)
        if overflow:
            return overflow > 0
        return not (status < 200 or status == 204 or status == 304)
    return not (status_code < 200 or status_code in (204, 304))


cdef object _type_header(object media_type, object charset):
    entry = _type_headers.get(media_type) if type(media_type) is str else None
    if entry is not None and (<tuple>entry)[0] is charset:
        return (<tuple>entry)[1]
    header = _content_type_header(media_type, charset)
    if type(media_type) is str and type(charset) is str:
        if len(_type_headers) >= 256:
            _type_headers.clear()
        _type_headers[media_type] = (charset, header)
    return header


cdef list _build(object headers, object body, object status_code, object media_type,
                 object charset):
    cdef list raw
    cdef bint has_length = False, has_type = False
    given = None
    if headers is None:
        raw = []
    else:
        if type(headers) is dict:
            given = _dict_headers(<dict>headers)
        if given is None:
            given = _given_headers(headers)
        raw, has_length, has_type = given
    if body is not None and not has_length and _has_length(status_code):
        raw.append(_length_header(len(body)))
    if media_type is not None and not has_type:
        raw.append(_type_header(media_type, charset))
    return raw


cdef list _raw_headers(object self, object headers):
    """init_headers' list, reading the attributes as starlette does."""
    body = getattr(self, "body", None)
    status_code = self.status_code if body is not None else None
    media_type = self.media_type
    charset = self.charset if media_type is not None else None
    return _build(headers, body, status_code, media_type, charset)


def init_headers(self, headers=None):
    self.raw_headers = _raw_headers(self, headers)


# ------------------------------------------------------------------ __init__

cdef object _RENDER_FUNCTION = render
cdef object _INIT_HEADERS_FUNCTION = init_headers
# Attributes __init__ sets and init_headers reads back.
cdef tuple _STORED = ("status_code", "background", "body", "raw_headers")


cdef class _Plan:
    """What __init__ may take for granted about one response class.

    ``direct``: render and init_headers are ours (or starlette's JSON render,
    which only returns bytes), attribute access is the default one, and no data
    descriptor hides the attributes __init__ stores, so init_headers would read
    back exactly the values __init__ has in hand. Then __init__ skips the method
    dispatch and the read-backs. A plan holds while the class's version tag is
    unchanged: CPython resets the tag whenever the class or a base is modified.
    """
    cdef unsigned int tag
    cdef bint direct
    cdef object render          # the render to call when direct
    cdef object media_type      # the class's media_type and charset, when direct
    cdef object charset


cdef dict _plans = {}


cdef inline bint _plain_attribute(object cls, object name) noexcept:
    """Nothing in the class hides an instance attribute of that name."""
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, name)
    return found is NULL or (<TypeObject*>Py_TYPE(<object>found)).tp_descr_set is NULL


cdef inline object _class_value(object cls, object name):
    """The class attribute's value if it is None or a plain str, else the class itself
    (which no media type or charset can be) as a "not plain" marker."""
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, name)
    if found is NULL:
        return cls
    value = <object>found
    return value if value is None or type(value) is str else cls


cdef _Plan _make_plan(object cls):
    cdef _Plan plan = _Plan()
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, RENDER)
    plan.render = <object>found if found is not NULL else None
    plan.media_type = _class_value(cls, "media_type")
    plan.charset = _class_value(cls, "charset")
    plan.direct = (
        (plan.render is _RENDER_FUNCTION or plan.render is _starlette_json_render)
        and _own_type(cls, INIT_HEADERS, _INIT_HEADERS_FUNCTION)
        and (<TypeObject*>cls).tp_getattro is GENERIC_GETATTR
        and plan.media_type is not cls
        and type(plan.charset) is str
        and all([_plain_attribute(cls, name) for name in _STORED])
    )
    if (<TypeObject*>cls).tp_flags & Py_TPFLAGS_VALID_VERSION_TAG:
        plan.tag = (<TypeObject*>cls).tp_version_tag
        if len(_plans) >= 256:
            _plans.clear()
        _plans[cls] = plan
    return plan


cdef object _last_class = None   # the class of the last plan used, checked first
cdef _Plan _last_plan = None


cdef inline _Plan _plan(object cls):
    global _last_class, _last_plan
    cdef TypeObject* t = <TypeObject*>cls
    plan = _last_plan if cls is _last_class else _plans.get(cls)
    if (plan is not None and t.tp_flags & Py_TPFLAGS_VALID_VERSION_TAG
            and (<_Plan>plan).tag == t.tp_version_tag):
        _last_class, _last_plan = cls, <_Plan>plan
        return <_Plan>plan
    return _make_plan(cls)


cdef inline bint _own_type(object cls, object name, object function) noexcept:
    return _PyType_Lookup(<PyTypeObject*>cls, name) is <PyObject*>function


cdef inline bint _own(object self, object name, object function) noexcept:
    """True when type(self) still uses our function for that method."""
    return _PyType_Lookup(Py_TYPE(self), name) is <PyObject*>function


cdef int _init(object self, object content, object status_code, object headers,
               object media_type, object background) except -1:
    cdef _Plan plan = _plan(type(self))
    self.status_code = status_code
    if media_type is not None:
        self.media_type = media_type
    self.background = background
    if plan.direct:
        if plan.render is _RENDER_FUNCTION:
            body = _render_as(content, plan.charset, self)
        else:
            body = plan.render(self, content)
        self.body = body
        if media_type is None:
            media_type = plan.media_type
        self.raw_headers = _build(headers, body, status_code, media_type, plan.charset)
        return 0
    # A class that changes any of that: dispatch and read back as starlette does.
    self.body = self.render(content)
    if _own(self, INIT_HEADERS, _INIT_HEADERS_FUNCTION):
        self.raw_headers = _raw_headers(self, headers)
    else:
        self.init_headers(headers)
    return 0


def response_init(self, content=None, status_code=200, headers=None, media_type=None,
                  background=None):
    _init(self, content, status_code, headers, media_type, background)


def json_init(self, content, status_code=200, headers=None, media_type=None, background=None):
    """starlette's JSONResponse.__init__ (content required), without its extra frame."""
    _init(self, content, status_code, headers, media_type, background)


cdef bint _url_safe(object url) noexcept:
    """True when ``quote(url, safe=...)`` would give url back unchanged."""
    cdef const uchar* data
    cdef Py_ssize_t i, n
    if not _latin1(url):
        return False
    data = PyUnicode_1BYTE_DATA(url)
    n = PyUnicode_GET_LENGTH(url)
    for i in range(n):
        if not URL_SAFE[data[i]]:
            return False
    return True


def redirect_init(self, url, status_code=307, headers=None, background=None):
    _init(self, b"", status_code, headers, None, background)
    location = url if type(url) is str else str(url)
    if not _url_safe(location):
        location = _quote(location, safe=_REDIRECT_SAFE)
    if not _own(self, HEADERS, _starlette_headers):
        self.headers["location"] = location
    else:
        _set_location(self.raw_headers, location.encode("latin-1"))
