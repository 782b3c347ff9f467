# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# caches need the GIL, so on a free-threaded build importing this module turns
# the GIL on. See README.md, Compatibility.)
"""Body rendering and the raw header list, compiled.

The common case (no headers or a dict of plain latin-1 str, bytes or str
content) is built here on byte buffers: header names are lowered through a
table and checked for CR, LF and NUL in the same pass that copies them. Any
other mapping, text that is not latin-1 and every refusal go to the reference in
``_headers_py``, which makes the same calls on user objects as starlette and
raises the documented errors. Nothing here runs user code before handing over,
so handing over half-way is always safe.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Next
from cpython.long cimport PyLong_AsLongAndOverflow
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_AsUTF8String
from cpython.weakref cimport PyWeakref_NewRef
from libc.string cimport memcmp

from ._capi cimport (
    GENERIC_GETATTR, GENERIC_SETATTR, PyObject_GenericGetAttr, PyObject_GenericSetAttr,
    PyUnicode_1BYTE_DATA, PyUnicode_1BYTE_KIND, PyUnicode_GET_LENGTH, PyUnicode_KIND, TypeObject,
    _PyType_Lookup, _version_tag,
)
from ._attrs cimport _own
from ._tables cimport FORBIDDEN, LOWER, fill_header_tables, fill_table

from urllib.parse import quote

from . import _common, _json
from ._asgi_py import HeadersProperty
from ._headers_py import (
    STARLETTE_HEADERS, STARLETTE_JSON_RENDER, STARLETTE_RENDER, content_type_header,
    given_headers, set_location, response_init as _py_response_init,
)

cdef extern from "Python.h":
    Py_ssize_t PyVectorcall_NARGS(size_t nargsf)
    bint PyMethod_Check(object obj)
    PyObject* PyMethod_GET_FUNCTION(object method)
    PyObject* PyMethod_GET_SELF(object method)
    unsigned long Py_TPFLAGS_HEAPTYPE

ctypedef unsigned char uchar
ctypedef object (*NewFunction)(object cls, object args, PyObject* kwargs)   # tp_new
ctypedef int (*InitFunction)(object self, object args, object kwargs) except -1   # tp_init

fill_header_tables(_common)   # LOWER and FORBIDDEN: see _tables.pxd
cdef uchar URL_SAFE[256]    # 1: urllib.parse.quote leaves it alone in a redirect
fill_table(URL_SAFE, _common.URL_SAFE_BYTES)

cdef object _JSON_RENDER = _json.render
# C globals: _plain_headers compares them without raising (noexcept).
cdef object _STARLETTE_HEADERS = STARLETTE_HEADERS
cdef object _HEADERS_PROPERTY = HeadersProperty
cdef object _quote = quote
cdef str _REDIRECT_SAFE = _common.REDIRECT_SAFE

cdef bytes CONTENT_LENGTH = b"content-length"
cdef bytes CONTENT_TYPE = b"content-type"
cdef bytes LOCATION = b"location"
cdef str UTF8 = "utf-8"
cdef object RENDER = "render"
cdef object INIT_HEADERS = "init_headers"
cdef object INIT = "__init__"
cdef object HEADERS = "headers"
cdef object STATUS_CODE = "status_code"
cdef object MEDIA_TYPE = "media_type"
cdef object BACKGROUND = "background"
cdef object BODY = "body"
cdef object CHARSET = "charset"
cdef object RAW_HEADERS = "raw_headers"

# (b"content-length", b"<n>") for small bodies, made once each.
cdef Py_ssize_t LENGTH_CACHE_SIZE = 4096
cdef list _length_headers = [None] * LENGTH_CACHE_SIZE
cdef Py_ssize_t _last_big_length = -1
cdef tuple _last_big_header = None
# media_type -> (charset or None, (b"content-type", value)): this module's own,
# filled by the reference's content_type_header, which is handed it.
cdef dict _type_headers = {}


# -------------------------------------------------------------------- render

cdef object _render(object self, object content):
    if content is None:
        return b""
    if type(content) is bytes:
        return content
    if type(content) is str:
        return _encode(content, self.charset)
    return STARLETTE_RENDER(self, content)


cdef inline object _encode(str content, object charset):
    if charset is UTF8 or charset == UTF8:
        return PyUnicode_AsUTF8String(content)
    return content.encode(charset)


def render(self, content):
    return _render(self, content)


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
    global _last_big_length, _last_big_header
    if length >= LENGTH_CACHE_SIZE:
        # Big bodies: the same file or page is often sent again and again, so the
        # last one is kept (compared as a C integer: no int object to make).
        if length != _last_big_length:
            _last_big_header = (CONTENT_LENGTH, _decimal(length))
            _last_big_length = length
        return _last_big_header
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


cdef object _type_header(object self, object media_type, object charset_read):
    """The reference's content_type_header, its cache hit taken here: the cache
    is the reference's own dict. charset_read: self.charset when __init__ has
    just read it, else None."""
    if type(media_type) is str:
        entry = _type_headers.get(media_type)
        if entry is not None:
            charset = (<tuple>entry)[0]
            if charset is None:
                return (<tuple>entry)[1]
            current = self.charset if charset_read is None else charset_read
            if current is charset or (type(current) is str and current == charset):
                return (<tuple>entry)[1]
    return content_type_header(self, media_type, _type_headers)


cdef list _build(object self, object headers, object body, object status_code,
                 object media_type, object charset_read=None):
    """init_headers' list from values already in hand."""
    cdef list raw
    cdef bint has_length = False, has_type = False
    given = None
    if headers is None:
        raw = []
    else:
        if type(headers) is dict:
            given = _dict_headers(<dict>headers)
        if given is None:
            given = given_headers(headers)
        raw, has_length, has_type = given
    if body is not None and not has_length and _has_length(status_code):
        raw.append(_length_header(PyBytes_GET_SIZE(body) if type(body) is bytes else len(body)))
    if media_type is not None and not has_type:
        raw.append(_type_header(self, media_type, charset_read))
    return raw


cdef list _raw_headers(object self, object headers):
    """init_headers' list, reading the attributes as starlette does."""
    body = getattr(self, "body", None)
    status_code = self.status_code if body is not None else None
    return _build(self, headers, body, status_code, self.media_type)


def init_headers(self, headers=None):
    self.raw_headers = _raw_headers(self, headers)


# ------------------------------------------------------------------ __init__

cdef enum Construct:
    NO_CONSTRUCT            # calling the class goes through type.__call__
    CONTENT_OPTIONAL        # __init__ is response_init
    CONTENT_REQUIRED        # __init__ is json_init

cdef object _RENDER_FUNCTION = render
cdef object _INIT_HEADERS_FUNCTION = init_headers
# Attributes __init__ stores and would read back.
cdef tuple _STORED = ("status_code", "body", "media_type")


cdef class _Plan:
    """What __init__ may take for granted about one response class.

    ``direct``: render and init_headers are ours (or a JSON render, starlette's
    or ours, which only returns bytes), attribute access is the default one, and no data
    descriptor stands behind status_code, body or media_type, so init_headers
    would read back exactly the values __init__ has in hand: __init__ skips the
    method dispatch and those read-backs. (media_type is read back when it was
    not given, and charset whenever it is needed: a subclass may set either on
    the instance before calling __init__.)

    ``construct``: whether _construct may stand in for ``type.__call__`` on the
    class: its __new__ is object's and its __init__ is one of ours.

    ``media_type`` and ``charset``: what reading them from an instance made by
    _construct gives (nothing is set on it yet, so the class attribute itself
    when it is not a descriptor), or _READ: read them from the instance. (No
    user code holds that instance before __init__ returns, so nothing can set
    either on it in between.)

    A plan holds while the class's version tag is unchanged: CPython resets the
    tag whenever the class or a base is modified, and never gives a tag out
    twice. A kept plan holds nothing of its class's own (only fastresp's
    functions, str and None) and only a weak reference to the class, whose
    callback drops the plan when the class dies: a plan never keeps a class
    alive, and no plan outlives its class to meet another at the same address.
    """
    cdef PyObject* cls          # the class, only compared (plans are kept by id: see _plan)
    cdef object alive           # a kept plan: a weak reference to cls, calling _forget
    cdef unsigned int tag       # 0: the class has no tag, the plan is not kept
    cdef bint direct
    cdef object render          # the render to call when direct, else None
    cdef Construct construct
    cdef object media_type
    cdef object charset


cdef dict _plans = {}
cdef object _READ = object()     # see _Plan.media_type
cdef Py_ssize_t _plans_made = 0  # how many plans _make_plan has built: see plans_made()


def plans_made():
    """(plans built so far, plans kept now): what the tests count rebuilds and
    leaks with. Not part of the API."""
    return _plans_made, len(_plans)


cdef object _class_value(object cls, object name):
    """What reading name from a fresh instance of cls gives when that is the class
    attribute as it is and a str or None (so the plan holds nothing that could
    hold the class), else _READ."""
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, name)
    if found is NULL or not (type(<object>found) is str or <object>found is None):
        return _READ
    return <object>found


cdef inline bint _plain_attribute(object cls, object name) noexcept:
    """Nothing in the class hides an instance attribute of that name: no class
    attribute, or one of a built-in type that is not a data descriptor. (A
    class-level object of a Python class could become a data descriptor later,
    by a change to its class that leaves the response class's tag alone.)"""
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, name)
    if found is NULL:
        return True
    cdef TypeObject* kind = <TypeObject*>Py_TYPE(<object>found)
    return not kind.tp_flags & Py_TPFLAGS_HEAPTYPE and kind.tp_descr_set is NULL


cdef _Plan _make_plan(object cls):
    global _plans_made
    cdef _Plan plan = _Plan()
    _plans_made += 1
    cdef TypeObject* t = <TypeObject*>cls
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, RENDER)
    render = <object>found if found is not NULL else None
    plan.direct = (
        (render is _RENDER_FUNCTION or render is _JSON_RENDER or render is STARLETTE_JSON_RENDER)
        and _own(cls, INIT_HEADERS, _INIT_HEADERS_FUNCTION)
        and t.tp_getattro is GENERIC_GETATTR
        and t.tp_setattro is GENERIC_SETATTR
        and all([_plain_attribute(cls, name) for name in _STORED])
    )
    plan.render = render if plan.direct else None
    plan.construct = _construct_kind(cls)
    plan.media_type = _class_value(cls, MEDIA_TYPE)
    plan.charset = _class_value(cls, CHARSET)
    plan.cls = <PyObject*>cls
    plan.tag = _version_tag(<PyTypeObject*>cls)   # read after the lookups, which assign one
    if plan.tag:
        try:
            plan.alive = PyWeakref_NewRef(cls, _forget)
        except TypeError:       # a class without weak references: not kept
            plan.tag = 0
            return plan
        if len(_plans) >= 256:
            _plans.clear()
        _plans[id(cls)] = plan
    return plan


def _forget(alive):
    """A class with a kept plan is being freed: its plan goes (see _Plan)."""
    global _latest, _before
    for key, plan in list(_plans.items()):
        if (<_Plan>plan).alive is alive:
            del _plans[key]
    if _before.alive is alive:
        _before = _Plan()
    if _latest.alive is alive:
        _latest, _before = _before, _Plan()


# The two plans used last, the latest first, checked before _plans: a FastAPI
# request builds a Response (the dependency's throw-away) and then a response of
# its own class, so one would miss every time.
cdef _Plan _latest = _Plan()
cdef _Plan _before = _Plan()


cdef inline _Plan _plan(object cls):
    """The class's plan. Kept by id(cls), not by the class: a metaclass may make
    its classes unhashable; the plan holds the class, so the id stays its own."""
    global _latest, _before
    cdef unsigned int tag = _version_tag(<PyTypeObject*>cls)
    cdef _Plan plan
    if _latest.cls is <PyObject*>cls:
        plan = _latest
    elif _before.cls is <PyObject*>cls:
        plan = _before
    else:
        plan = _plans.get(id(cls))
    if plan is None or not tag or plan.tag != tag or plan.cls is not <PyObject*>cls:
        # New, or the class changed: the new plan replaces the old one
        # everywhere it was kept (_make_plan replaces it in _plans).
        plan = _make_plan(cls)
        if not plan.tag:
            return plan
    if plan is not _latest:
        if _latest.cls is not <PyObject*>cls:   # else _latest is this class's old plan
            _before = _latest
        _latest = plan
    return plan


cdef bint _bound_to(object self, object name, object function) except -1:
    """self.<name> is function bound to self, not something set on the instance."""
    method = PyObject_GenericGetAttr(self, name)
    return (PyMethod_Check(method) and PyMethod_GET_FUNCTION(method) is <PyObject*>function
            and PyMethod_GET_SELF(method) is <PyObject*>self)


cdef int _init(_Plan plan, object self, object content, object status_code, object headers,
               object media_type, object background, bint fresh=False) except -1:
    """__init__'s work. fresh: self was just made by _construct, so nothing is
    set on the instance yet; otherwise (a subclass's __init__ may have set
    render or init_headers on self first) the direct way is checked for that."""
    if plan.direct and (fresh or _bound_to(self, RENDER, plan.render)
                        and _bound_to(self, INIT_HEADERS, _INIT_HEADERS_FUNCTION)):
        # The plan says attribute access is object's own: call it without the
        # type slot indirection.
        PyObject_GenericSetAttr(self, STATUS_CODE, status_code)
        if media_type is not None:
            PyObject_GenericSetAttr(self, MEDIA_TYPE, media_type)
        PyObject_GenericSetAttr(self, BACKGROUND, background)
        # A fresh instance reads the class's values, which the plan holds.
        charset = plan.charset if fresh and plan.charset is not _READ else None
        if plan.render is not _RENDER_FUNCTION:
            body = plan.render(self, content)
        elif type(content) is str:
            # Read once for render and the content-type: nothing in between
            # could change it.
            if charset is None:
                charset = PyObject_GenericGetAttr(self, CHARSET)
            body = _encode(content, charset)
        else:
            body = _render(self, content)
        PyObject_GenericSetAttr(self, BODY, body)
        if media_type is None:
            if fresh and plan.media_type is not _READ:
                media_type = plan.media_type
            else:
                media_type = PyObject_GenericGetAttr(self, MEDIA_TYPE)
        raw = _build(self, headers, body, status_code, media_type, charset)
        PyObject_GenericSetAttr(self, RAW_HEADERS, raw)
        return 0
    # A class (or instance) that changes any of that: the reference dispatches
    # and reads back as starlette does.
    _py_response_init(self, content, status_code, headers, media_type, background)
    return 0


def response_init(self, content=None, status_code=200, headers=None, media_type=None,
                  background=None):
    _init(_plan(type(self)), self, content, status_code, headers, media_type, background)


def json_init(self, content, status_code=200, headers=None, media_type=None, background=None):
    """starlette's JSONResponse.__init__ (content required), without its extra frame."""
    _init(_plan(type(self)), self, content, status_code, headers, media_type, background)


# ------------------------------------------------------------- constructing
#
# Calling a class runs type.__call__: it packs the arguments into a tuple and a
# dict, makes the instance with __new__, looks __init__ up and unpacks the
# arguments again to call it. CPython lets a class replace all that with its own
# tp_vectorcall, provided the result is the same (the slot is never inherited,
# so a subclass always goes through type.__call__). _construct is that for our
# classes: while the plan says __new__ is object's and __init__ is ours, it makes
# the instance and runs _init on the arguments as they were passed; anything
# else (another __init__, too many arguments, an unknown or repeated keyword)
# goes to type.__call__, which gives the usual result or error.

cdef object _RESPONSE_INIT = response_init
cdef object _JSON_INIT = json_init
cdef void* _OBJECT_NEW = (<TypeObject*>object).tp_new
cdef tuple _NO_ARGS = ()
cdef object _TYPE_CALL = type.__call__
# The parameters of response_init and json_init, in order.
cdef tuple _PARAMETERS = ("content", "status_code", "headers", "media_type", "background")
cdef object _DEFAULT_STATUS = 200


cdef Construct _construct_kind(object cls) noexcept:
    cdef TypeObject* t = <TypeObject*>cls
    if t.tp_new is not _OBJECT_NEW:
        return NO_CONSTRUCT
    if _own(cls, INIT, _RESPONSE_INIT):
        return CONTENT_OPTIONAL
    if _own(cls, INIT, _JSON_INIT):
        return CONTENT_REQUIRED
    return NO_CONSTRUCT


cdef Py_ssize_t _parameter(object name) noexcept:
    """The position of a keyword among _PARAMETERS, by identity (the names a
    call site spells out are interned), or -1."""
    cdef Py_ssize_t i
    for i in range(5):
        if <PyObject*>name is PyTuple_GET_ITEM(_PARAMETERS, i):
            return i
    return -1


cdef object _construct(object cls, PyObject** args, size_t nargsf, PyObject* kwnames):
    cdef _Plan plan = _plan(cls)
    cdef Py_ssize_t i, k, n = PyVectorcall_NARGS(nargsf)
    cdef PyObject* given[5]
    if plan.construct == NO_CONSTRUCT or plan.tag == 0 or n > 5:
        return _type_call(cls, args, n, kwnames)
    for i in range(5):
        given[i] = args[i] if i < n else NULL
    if kwnames is not NULL:
        for k in range(PyTuple_GET_SIZE(<tuple>kwnames)):
            i = _parameter(<object>PyTuple_GET_ITEM(<tuple>kwnames, k))
            if i < 0 or given[i] is not NULL:
                return _type_call(cls, args, n, kwnames)
            given[i] = args[n + k]
    if given[0] is NULL and plan.construct == CONTENT_REQUIRED:
        return _type_call(cls, args, n, kwnames)
    self = (<NewFunction>(<TypeObject*>cls).tp_new)(cls, _NO_ARGS, NULL)
    if _version_tag(<PyTypeObject*>cls) != plan.tag:
        # The allocation ran a finalizer (through the GC) that changed the class:
        # finish as type.__call__ does from here, with whatever __init__ is now.
        positional, keywords = _packed(args, n, kwnames)
        (<InitFunction>(<TypeObject*>Py_TYPE(self)).tp_init)(self, positional, keywords)
        return self
    _init(plan, self, _given(given[0], None), _given(given[1], _DEFAULT_STATUS),
          _given(given[2], None), _given(given[3], None), _given(given[4], None), True)
    return self


cdef inline object _given(PyObject* value, object default):
    return default if value is NULL else <object>value


cdef tuple _packed(PyObject** args, Py_ssize_t n, PyObject* kwnames):
    """A vectorcall's arguments as (args tuple, kwargs dict)."""
    positional = tuple([<object>args[i] for i in range(n)])
    keywords = {}
    if kwnames is not NULL:
        for k in range(PyTuple_GET_SIZE(<tuple>kwnames)):
            keywords[<object>PyTuple_GET_ITEM(<tuple>kwnames, k)] = <object>args[n + k]
    return positional, keywords


cdef object _type_call(object cls, PyObject** args, Py_ssize_t n, PyObject* kwnames):
    """type.__call__(cls, *args, **kwargs) from a vectorcall's arguments."""
    positional, keywords = _packed(args, n, kwnames)
    return _TYPE_CALL(cls, *positional, **keywords)


cdef bint _construct_takes(object cls) except -1:
    """_construct stands in for type.__call__ on cls right now (its plan says so),
    once cls's tp_vectorcall is _construct (see _slots.call_without_type_call)."""
    plan = _plan(cls)
    return plan.construct != NO_CONSTRUCT and plan.tag != 0


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
    _init(_plan(type(self)), self, b"", status_code, headers, None, background)
    location = url if type(url) is str else str(url)
    if not _url_safe(location):
        location = _quote(location, safe=_REDIRECT_SAFE)
    if not _plain_headers(type(self)):
        self.headers["location"] = location
        return
    raw = self.raw_headers
    value = location.encode("latin-1")
    if type(raw) is list and not _has_name(<list>raw, LOCATION):
        (<list>raw).append((LOCATION, value))
    else:
        set_location(raw, value)   # replaces the location headers already there


cdef bint _plain_headers(object cls) noexcept:
    """cls.headers is starlette's property or one of fastresp's equivalents."""
    cdef PyObject* found = _PyType_Lookup(<PyTypeObject*>cls, HEADERS)
    return (found is <PyObject*>_STARLETTE_HEADERS
            or found is not NULL and type(<object>found) is _HEADERS_PROPERTY)


cdef bint _has_name(list raw, bytes name) noexcept:
    """True when a header of that name may be in raw (anything odd counts as may)."""
    for item in raw:
        if type(item) is not tuple or len(<tuple>item) != 2 or type((<tuple>item)[0]) is not bytes:
            return True
        if _is(<bytes>(<tuple>item)[0], name):
            return True
    return False
