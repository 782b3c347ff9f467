# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# name cache needs the GIL.)
"""The request side of the header and cookie path, compiled: the reads of
``starlette.datastructures.Headers`` (``getlist``, ``keys``, ``values``,
``items``, iteration, ``len``), ``HTTPConnection.headers``,
``HTTPConnection.cookies`` and ``starlette.requests.cookie_parser``.

The common case (a list of ``(bytes, bytes)`` tuples, a plain latin-1 str name,
a plain str or bytes Cookie value) is done here: names are compared as bytes,
and a Cookie header is parsed straight from its bytes (a latin-1 str's storage
is the same bytes) in one pass, with ``http.cookies._unquote``'s rules for a
quoted value. Anything else (odd list items, str subclasses, other text, a
class whose methods are not starlette's or fastresp's) goes to the reference
``_request_py`` before any user code runs, so it makes starlette's calls and
raises starlette's errors.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Copy, PyDict_GetItem, PyDict_GetItemWithError, PyDict_SetItem
from cpython.list cimport PyList_Append, PyList_GET_ITEM, PyList_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.string cimport memchr, memcmp

from ._capi cimport (
    GENERIC_GETATTR, GENERIC_SETATTR, PyUnicode_1BYTE_DATA, PyUnicode_1BYTE_KIND,
    PyUnicode_GET_LENGTH, PyUnicode_KIND, TypeObject, _PyType_Lookup, _version_tag,
)
from ._asgi cimport _init_scope, _name as _asgi_name
from ._attrs cimport _store, _stored_as_given
from ._tables cimport LOWER, fill_table, fill_header_tables

from ._request_py import (
    contains as _py_contains, get as _py_get, getitem as _py_getitem, REQUESTS_GLOBALS, STARLETTE_COOKIE_PARSER, STARLETTE_HEADERS, cookie_parser as _py_cookie_parser,
    cookies as _py_cookies, eq, getlist as _py_getlist, headers as _py_headers,
    items as _py_items, keys as _py_keys, mutablecopy, raw, repr_,
    values as _py_values,
)
from . import _asgi, _common
from ._asgi_py import init as _py_init

cdef extern from "Python.h":
    object PyUnicode_DecodeLatin1(const char* data, Py_ssize_t size, const char* errors)
    int PyType_Check(object o)

cdef extern from *:
    """
    static unsigned char fastresp_SPACE[256];
    """
    unsigned char SPACE "fastresp_SPACE"[256]   # 1: str.strip() removes it

ctypedef unsigned char uchar
ctypedef object (*NewFunction)(object cls, object args, PyObject* kwargs)   # tp_new

fill_header_tables(_common)
fill_table(SPACE, _common.SPACE_LATIN1)

cdef bint COOKIES_READ_ALL = _common.COOKIES_READ_ALL
cdef dict _requests_globals = REQUESTS_GLOBALS

cdef object LIST = "_list"
cdef object HEADERS_ATTR = "_headers"
cdef object HEADERS_NAME = "headers"
cdef object COOKIES_ATTR = "_cookies"
cdef object INIT = "__init__"
cdef object KEYS = "keys"
cdef object GETLIST = "getlist"
cdef object GET = "get"
cdef object GETITEM = "__getitem__"
cdef object HEADERS_GLOBAL = "Headers"
cdef object PARSER_GLOBAL = "cookie_parser"
cdef object _MISSING = object()
cdef tuple _NO_ARGS = ()
cdef void* _OBJECT_NEW = (<TypeObject*>object).tp_new
cdef void* _TYPE_CALL = (<TypeObject*>type).tp_call
cdef bytes COOKIE = b"cookie"


# ------------------------------------------------------------------- names

cdef inline object _latin1_text(const uchar* data, Py_ssize_t size):
    return PyUnicode_DecodeLatin1(<const char*>data, size, NULL)


cdef inline bytes _name(object key):
    """key.lower().encode("latin-1") for a 1-byte-kind str, or None: the caller
    hands over to the reference. _asgi's name cache; a read refuses nothing."""
    cdef bint refused
    return _asgi_name(key, &refused)


# ------------------------------------------------------------ the raw list

cdef extern from *:
    """
    /* The index of the first item of list from start on, a (bytes, value)
       tuple, whose name is lower[text[0]]...lower[text[n - 1]]; the list's
       size when there is none; -1 when an item before it is anything else.
       No references are taken: nothing here runs Python code. */
    static Py_ssize_t fastresp_find_name(PyObject* list, Py_ssize_t start,
                                         const unsigned char* text, Py_ssize_t n,
                                         const unsigned char* lower) {
        Py_ssize_t size = PyList_GET_SIZE(list);
        for (Py_ssize_t i = start; i < size; i++) {
            PyObject* item = PyList_GET_ITEM(list, i);
            if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2)
                return -1;
            PyObject* name = PyTuple_GET_ITEM(item, 0);
            if (!PyBytes_CheckExact(name))
                return -1;
            if (PyBytes_GET_SIZE(name) != n)
                continue;
            const unsigned char* bytes = (const unsigned char*)PyBytes_AS_STRING(name);
            Py_ssize_t j = 0;
            while (j < n && bytes[j] == lower[text[j]])
                j++;
            if (j == n)
                return i;
        }
        return size;
    }
    """
    Py_ssize_t find_name "fastresp_find_name"(list raw, Py_ssize_t start, const uchar* text,
                                              Py_ssize_t n, const uchar* lower) noexcept


cdef inline object _list(object self):
    """self._list when it is a list, or None."""
    found = getattr(self, LIST)
    return found if type(found) is list else None


cdef inline object _pair(list raw, Py_ssize_t i):
    """raw[i] when it is a 2-tuple, or None."""
    item = <object>PyList_GET_ITEM(raw, i)
    if type(item) is not tuple or PyTuple_GET_SIZE(item) != 2:
        return None
    return item


cdef inline object _part(object pair, Py_ssize_t index):
    """pair[index] when it is bytes, or None."""
    part = <object>PyTuple_GET_ITEM(pair, index)
    return part if type(part) is bytes else None


cdef inline object _decoded(bytes data):
    return PyUnicode_DecodeLatin1(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), NULL)


cdef object _getlist(object raw, bytes name):
    """The decoded values named name, or None when an item is not a pair of
    bytes (where it is read)."""
    cdef Py_ssize_t i = -1
    result = []
    while True:
        # name is lowered already: LOWER leaves it as it is.
        i = find_name(raw, i + 1, <const uchar*>PyBytes_AS_STRING(name), PyBytes_GET_SIZE(name),
                      LOWER)
        if i < 0:
            return None
        if i == PyList_GET_SIZE(raw):
            return result
        value = _part(<object>PyList_GET_ITEM(raw, i), 1)
        if value is None:
            return None
        PyList_Append(result, _decoded(value))


def getlist(self, key):
    """``Headers.getlist``."""
    name = _name(key)
    raw = _list(self) if name is not None else None
    result = _getlist(raw, name) if raw is not None else None
    if result is None:
        return _py_getlist(self, key)
    return result


cdef object _each(object raw, int which):
    """keys (0), values (1) or items (2) of the list, decoded; None when an item
    is not a pair of bytes."""
    cdef Py_ssize_t i
    result = []
    for i in range(PyList_GET_SIZE(raw)):
        pair = _pair(raw, i)
        if pair is None:
            return None
        key = _part(pair, 0) if which != 1 else None
        value = _part(pair, 1) if which != 0 else None
        if which == 0:
            if key is None:
                return None
            PyList_Append(result, _decoded(key))
        elif which == 1:
            if value is None:
                return None
            PyList_Append(result, _decoded(value))
        else:
            if key is None or value is None:
                return None
            PyList_Append(result, (_decoded(key), _decoded(value)))
    return result


def keys(self):
    """``Headers.keys``."""
    raw = _list(self)
    result = _each(raw, 0) if raw is not None else None
    return _py_keys(self) if result is None else result


def values(self):
    """``Headers.values``."""
    raw = _list(self)
    result = _each(raw, 1) if raw is not None else None
    return _py_values(self) if result is None else result


def items(self):
    """``Headers.items``."""
    raw = _list(self)
    result = _each(raw, 2) if raw is not None else None
    return _py_items(self) if result is None else result


cdef object _KEYS_FUNCTION = keys


cdef inline Py_ssize_t _index(list raw, object key) noexcept:
    """The index of the first item named ``key.lower().encode("latin-1")``,
    len(raw) when there is none, -1 when the reference must look (key is not a
    1-byte-kind str, or an item before the match is not a (bytes, ...) tuple).
    The lowered key is compared byte by byte, never made."""
    if type(key) is not str or PyUnicode_KIND(key) != PyUnicode_1BYTE_KIND:
        return -1
    return find_name(raw, 0, PyUnicode_1BYTE_DATA(key), PyUnicode_GET_LENGTH(key), LOWER)


cdef object _lookup(object self, object key):
    """The stored value of the first header named key, _MISSING when none, None
    when the reference must do it (odd list or key, a value that is not bytes)."""
    cdef Py_ssize_t i
    raw = _list(self)
    if raw is None:
        return None
    i = _index(raw, key)
    if i < 0:
        return None
    if i == PyList_GET_SIZE(raw):
        return _MISSING
    return _part(<object>PyList_GET_ITEM(raw, i), 1)


def getitem(self, key):
    """``Headers.__getitem__``."""
    found = _lookup(self, key)
    if found is None:
        return _py_getitem(self, key)
    if found is _MISSING:
        raise KeyError(key)
    return _decoded(found)


def contains(self, key):
    """``Headers.__contains__``."""
    found = _lookup(self, key)
    if found is None:
        return _py_contains(self, key)
    return found is not _MISSING


cdef object _GETITEM_FUNCTION = getitem


def get(self, key, default=None):
    """``Mapping.get``, as Headers inherits it: ``self[key]``, default on a KeyError."""
    if _PyType_Lookup(<PyTypeObject*>Py_TYPE(self), GETITEM) is <PyObject*>_GETITEM_FUNCTION:
        found = _lookup(self, key)
        if found is _MISSING:
            return default
        if found is not None:
            return _decoded(found)
    return _py_get(self, key, default)


def iter_(self):
    """``Headers.__iter__``: ``iter(self.keys())``."""
    if _PyType_Lookup(<PyTypeObject*>Py_TYPE(self), KEYS) is <PyObject*>_KEYS_FUNCTION:
        return iter(keys(self))
    return iter(self.keys())


iter_.__name__ = iter_.__qualname__ = "__iter__"


def len_(self):
    """``Headers.__len__``."""
    return len(getattr(self, LIST))


len_.__name__ = len_.__qualname__ = "__len__"


def headers_methods():
    """What this implementation puts on a Headers class (``__init__`` is
    _asgi's: starlette's MutableHeaders inherits it from Headers unchanged)."""
    return {
        "__init__": _asgi.init, "__getitem__": getitem, "__contains__": contains, "get": get,
        "getlist": getlist, "keys": keys, "values": values, "items": items, "__iter__": iter_,
        "__len__": len_, "__eq__": eq, "raw": raw, "mutablecopy": mutablecopy,
        "__repr__": repr_,
    }


# ----------------------------------------------------------------- cookies

cdef object _unquote(const uchar* data, Py_ssize_t size):
    """``http.cookies._unquote`` of the latin-1 text data[:size]: a value both
    started and ended by a double quote loses them, and in it a backslash
    followed by three octal digits (the first 0-3) stands for that character,
    one followed by any other character but a newline for that character."""
    cdef Py_ssize_t i = 0, n = 0
    cdef uchar* out
    cdef uchar c
    if size < 2 or data[0] != b'"' or data[size - 1] != b'"':
        return _latin1_text(data, size)
    data += 1
    size -= 2
    if memchr(data, b'\\', size) is NULL:
        return _latin1_text(data, size)
    out = <uchar*>PyMem_Malloc(size)
    if out is NULL:
        raise MemoryError()
    try:
        while i < size:
            c = data[i]
            if c != b'\\' or i + 1 == size:
                out[n] = c
                i += 1
            elif (i + 3 < size and b'0' <= data[i + 1] <= b'3'
                  and b'0' <= data[i + 2] <= b'7' and b'0' <= data[i + 3] <= b'7'):
                out[n] = (data[i + 1] - 48) * 64 + (data[i + 2] - 48) * 8 + data[i + 3] - 48  # 48: '0'
                i += 4
            elif data[i + 1] != b'\n':
                out[n] = data[i + 1]
                i += 2
            else:           # "\\\n": the backslash stays, the newline is read next
                out[n] = c
                i += 1
            n += 1
        return _latin1_text(out, n)
    finally:
        PyMem_Free(out)


cdef int _parse(dict cookies, const uchar* data, Py_ssize_t size) except -1:
    """starlette's cookie_parser of the latin-1 text data[:size], into cookies."""
    cdef Py_ssize_t start = 0, end, equals, key_start, key_end, value_start, value_end
    cdef const uchar* found
    while True:
        found = <const uchar*>memchr(data + start, b';', size - start)
        end = found - data if found is not NULL else size
        found = <const uchar*>memchr(data + start, b'=', end - start)
        if found is not NULL:
            equals = found - data
            key_start, key_end, value_start, value_end = start, equals, equals + 1, end
        else:       # no "=": a value under the empty name
            key_start, key_end, value_start, value_end = start, start, start, end
        while key_start < key_end and SPACE[data[key_start]]:
            key_start += 1
        while key_end > key_start and SPACE[data[key_end - 1]]:
            key_end -= 1
        while value_start < value_end and SPACE[data[value_start]]:
            value_start += 1
        while value_end > value_start and SPACE[data[value_end - 1]]:
            value_end -= 1
        if key_end > key_start or value_end > value_start:
            PyDict_SetItem(cookies, _latin1_text(data + key_start, key_end - key_start),
                           _unquote(data + value_start, value_end - value_start))
        if end == size:
            return 0
        start = end + 1


# Cookie header (bytes, or text for cookie_parser) -> its cookies: see
# _common.PARSED_COOKIE_MAX. Callers hand out copies. Two dicts: bytes and str
# are never equal, but they can hash alike (and compare with a BytesWarning).
cdef dict _parsed_bytes = {}
cdef dict _parsed_text = {}
cdef Py_ssize_t PARSED_COOKIE_MAX = _common.PARSED_COOKIE_MAX
# The last Cookie header (bytes) parsed or found, and its cookies: a browser
# sends the same one request after request, and comparing it with memcmp is
# cheaper than hashing a fresh bytes object to look it up.
cdef bytes _last_header = None
cdef dict _last_cookies = None
cdef Py_ssize_t PARSED_COOKIES_SIZE = _common.PARSED_COOKIES_SIZE


cdef dict _parsed(dict cache, object header, const uchar* data, Py_ssize_t size):
    """The cookies of header (whose latin-1 text is data[:size]), remembered in
    cache when it is short: the caller must copy them before handing them out."""
    global _last_header, _last_cookies
    cdef dict cookies
    cdef PyObject* found
    if (_last_header is not None and type(header) is bytes
            and PyBytes_GET_SIZE(_last_header) == size
            and memcmp(PyBytes_AS_STRING(_last_header), data, size) == 0):
        return _last_cookies    # the same header as last time: no hash of its bytes
    found = PyDict_GetItem(cache, header)
    if found is not NULL:
        cookies = <dict>found
        if type(header) is bytes:
            _last_header, _last_cookies = header, cookies
        return cookies
    cookies = {}
    _parse(cookies, data, size)
    if size <= PARSED_COOKIE_MAX:
        if len(cache) >= PARSED_COOKIES_SIZE:
            cache.clear()
        cache[header] = cookies
        if type(header) is bytes:
            _last_header, _last_cookies = header, cookies
    return cookies


def cookie_parser(cookie_string):
    """``starlette.requests.cookie_parser``: a Cookie header's text into a dict."""
    if type(cookie_string) is not str or PyUnicode_KIND(cookie_string) != PyUnicode_1BYTE_KIND:
        return _py_cookie_parser(cookie_string)
    return PyDict_Copy(_parsed(_parsed_text, cookie_string, PyUnicode_1BYTE_DATA(cookie_string),
                               PyUnicode_GET_LENGTH(cookie_string)))


# Functions that do what starlette's own do, for the methods the cookies and
# headers getters call: where a class (or starlette.requests) holds one of these,
# the getters skip the call and do the work here.
cdef tuple _PARSERS = (cookie_parser, _py_cookie_parser, STARLETTE_COOKIE_PARSER)
cdef tuple _GETLISTS = (getlist, _py_getlist, vars(STARLETTE_HEADERS)["getlist"])
cdef tuple _GETS = (get, _asgi.get, _py_get, STARLETTE_HEADERS.get)
cdef tuple _GETITEMS = (getitem, _asgi.getitem, _py_getitem, vars(STARLETTE_HEADERS)["__getitem__"])
cdef tuple _INITS = (_asgi.init, _py_init, vars(STARLETTE_HEADERS)["__init__"])


cdef inline bint _one_of(PyObject* found, tuple functions) noexcept:
    cdef Py_ssize_t i
    for i in range(PyTuple_GET_SIZE(functions)):
        if found is PyTuple_GET_ITEM(functions, i):
            return True
    return False


cdef inline bint _method_known(object obj, object name, tuple functions) noexcept:
    return _one_of(_PyType_Lookup(<PyTypeObject*>Py_TYPE(obj), name), functions)


cdef bint _parser_known() except -1:
    """starlette.requests.cookie_parser is one whose work _parsed does (else
    the reference must call it); raises what starlette's lookup would."""
    found = PyDict_GetItemWithError(_requests_globals, PARSER_GLOBAL)
    return found is not NULL and _one_of(found, _PARSERS)


cdef object _cookies_of(object headers, object raw):
    """The cookies of headers (a Headers whose reads are known; raw its list,
    or None to read it) parsed here, or None: the reference must do it."""
    cdef Py_ssize_t i
    cdef dict cookies = None
    cdef bint parser_checked = False
    if COOKIES_READ_ALL:
        if not _method_known(headers, GETLIST, _GETLISTS):
            return None
    elif not (_method_known(headers, GET, _GETS) and _method_known(headers, GETITEM, _GETITEMS)):
        return None
    if raw is None:
        raw = _list(headers)
    if raw is None:
        return None
    i = -1
    while True:
        i = find_name(raw, i + 1, <const uchar*>PyBytes_AS_STRING(COOKIE), PyBytes_GET_SIZE(COOKIE),
                      LOWER)
        if i < 0:
            return None
        if i == PyList_GET_SIZE(raw):
            break
        value = _part(<object>PyList_GET_ITEM(raw, i), 1)
        if value is None:
            return None
        if not COOKIES_READ_ALL and PyBytes_GET_SIZE(value) == 0:
            return {}       # starlette parses only a first header that is not empty
        if not parser_checked:
            # Looked up where starlette looks it up: with a Cookie header to parse.
            if not _parser_known():
                return None
            parser_checked = True
        parsed = _parsed(_parsed_bytes, value, <const uchar*>PyBytes_AS_STRING(value),
                         PyBytes_GET_SIZE(value))
        if cookies is None:
            cookies = PyDict_Copy(parsed)
        else:
            cookies.update(parsed)
        if not COOKIES_READ_ALL:    # the first Cookie header only
            return cookies
    return {} if cookies is None else cookies


cdef object _stored(object obj, object name, object value):
    """``obj.name = value; return obj.name``, without the read where it can
    only give value back."""
    _store(obj, name, value)
    if _stored_as_given(type(obj), name):
        return value
    return getattr(obj, name)


cdef bint _known_headers_class(object cls) noexcept:
    """cls(scope=...) would run type.__call__, object.__new__ and a known
    Headers __init__: what _init_scope does."""
    return (PyType_Check(cls) and (<TypeObject*>Py_TYPE(cls)).tp_call is _TYPE_CALL
            and (<TypeObject*>cls).tp_new is _OBJECT_NEW
            and _one_of(_PyType_Lookup(<PyTypeObject*>cls, INIT), _INITS))


cdef object _new_headers(object cls, object scope):
    """``cls(scope=scope)``, without the call where cls is a known class."""
    if not _known_headers_class(cls):
        return cls(scope=scope)
    made = (<NewFunction>_OBJECT_NEW)(cls, _NO_ARGS, NULL)
    _init_scope(made, scope, _stored_as_given(cls, LIST))
    return made


# The last class _plain_headers_class found plain, and its version tag then.
cdef PyObject* _plain_headers = NULL
cdef unsigned int _plain_headers_tag = 0


cdef bint _plain_headers_class(object cls) noexcept:
    """A known Headers class (_known_headers_class) whose instances store _list
    as given (_stored_as_given)."""
    global _plain_headers, _plain_headers_tag
    cdef unsigned int tag = _version_tag(<PyTypeObject*>cls) if PyType_Check(cls) else 0
    if tag and tag == _plain_headers_tag and <PyObject*>cls is _plain_headers:
        return True
    if not (_known_headers_class(cls) and _stored_as_given(cls, LIST)):
        return False
    _plain_headers, _plain_headers_tag = <PyObject*>cls, _version_tag(<PyTypeObject*>cls)
    return True


cdef object _headers(object self):
    """``HTTPConnection.headers``' getter: ``Headers(scope=self.scope)``, made once."""
    cdef PyObject* found_class
    found = getattr(self, HEADERS_ATTR, _MISSING)
    if found is not _MISSING:
        return found
    found_class = PyDict_GetItem(_requests_globals, HEADERS_GLOBAL)
    if found_class is NULL:
        return _py_headers(self)
    cls = <object>found_class      # held: reading self.scope may rebind the name
    return _stored(self, HEADERS_ATTR, _new_headers(cls, self.scope))


def headers(self):
    """``HTTPConnection.headers``' getter: ``Headers(scope=self.scope)``, made once."""
    return _headers(self)


# The last class whose instances _plain_connection found plain, and its
# version tag then: CPython gives a class a new tag whenever it or a base
# changes, so while both match the checks hold.
cdef PyObject* _plain_class = NULL
cdef unsigned int _plain_tag = 0


cdef bint _plain_connection(object cls) noexcept:
    """Instances of cls read and store attributes as object does, with nothing
    in the class behind scope, _headers and _cookies, and read headers through
    this module's property: reading self.scope and storing those two run no code."""
    global _plain_class, _plain_tag
    cdef TypeObject* t = <TypeObject*>cls
    cdef unsigned int tag = _version_tag(<PyTypeObject*>cls)
    if tag and tag == _plain_tag and <PyObject*>cls is _plain_class:
        return True
    if not (t.tp_getattro is GENERIC_GETATTR and t.tp_setattro is GENERIC_SETATTR
            and _PyType_Lookup(<PyTypeObject*>cls, HEADERS_NAME) is <PyObject*>_HEADERS_PROPERTY
            and _PyType_Lookup(<PyTypeObject*>cls, SCOPE_ATTR) is NULL
            and _PyType_Lookup(<PyTypeObject*>cls, HEADERS_ATTR) is NULL
            and _PyType_Lookup(<PyTypeObject*>cls, COOKIES_ATTR) is NULL):
        return False
    # The tag is read after the lookups, which assign one.
    _plain_class, _plain_tag = <PyObject*>cls, _version_tag(<PyTypeObject*>cls)
    return True


cdef object _plain_cookies(object self):
    """The cookies of a request of a plain class (_plain_connection), its
    headers made here when it has none yet; None: the reference must do it."""
    cdef PyObject* found_class
    found = getattr(self, HEADERS_ATTR, _MISSING)
    if found is not _MISSING:
        return _cookies_of(found, None)
    found_class = PyDict_GetItem(_requests_globals, HEADERS_GLOBAL)
    if found_class is NULL:
        return None
    cls = <object>found_class
    scope = self.scope
    if _plain_headers_class(cls):
        made = (<NewFunction>_OBJECT_NEW)(cls, _NO_ARGS, NULL)
        raw = _init_scope(made, scope, True)
    else:
        made = _new_headers(cls, scope)
        raw = None
    _store(self, HEADERS_ATTR, made)
    return _cookies_of(made, raw)


def cookies(self):
    """``HTTPConnection.cookies``' getter: the Cookie header(s) parsed, once."""
    found = getattr(self, COOKIES_ATTR, _MISSING)
    if found is not _MISSING:
        return found
    if _plain_connection(type(self)):
        parsed = _plain_cookies(self)
        if parsed is None:
            return _py_cookies(self)
        _store(self, COOKIES_ATTR, parsed)
        return parsed
    parsed = _cookies_of(self.headers, None)
    if parsed is None:
        return _py_cookies(self)
    return _stored(self, COOKIES_ATTR, parsed)


# What connection_properties() puts on HTTPConnection: cookies() knows it is
# reading self.headers through the first.
cdef object _HEADERS_PROPERTY = property(headers)
cdef object _COOKIES_PROPERTY = property(cookies)


# ---------------------------------------------------------------- Request

cdef tuple _CONNECTION_TYPES = ("http", "websocket")
cdef object SCOPE_ATTR = "scope"
cdef object RECEIVE_ATTR = "_receive"
cdef object SEND_ATTR = "_send"
cdef object STREAM_CONSUMED_ATTR = "_stream_consumed"
cdef object IS_DISCONNECTED_ATTR = "_is_disconnected"
cdef object FORM_ATTR = "_form"


cdef int init_request(object self, object scope, object receive, object send) except -1:
    """``Request.__init__(self, scope, receive, send)`` as starlette's checked
    sources do it (``_common.CHECKED_REQUEST_INITS``): ``HTTPConnection.__init__``
    through ``super()``, then Request's own. The asserts are Python's: gone
    under ``python -O``."""
    assert scope["type"] in _CONNECTION_TYPES
    _store(self, SCOPE_ATTR, scope)
    assert scope["type"] == "http"
    _store(self, RECEIVE_ATTR, receive)
    _store(self, SEND_ATTR, send)
    _store(self, STREAM_CONSUMED_ATTR, False)
    _store(self, IS_DISCONNECTED_ATTR, False)
    _store(self, FORM_ATTR, None)
    return 0


def connection_properties():
    """What this implementation puts on ``starlette.requests.HTTPConnection``."""
    return {"headers": _HEADERS_PROPERTY, "cookies": _COOKIES_PROPERTY}
