# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# caches need the GIL, so on a free-threaded build importing this module turns
# the GIL on. See README.md, Compatibility.)
"""``Response.headers`` and the ``MutableHeaders`` operations, compiled
(``Response.__call__`` is the reference's coroutine: see the note at the end).

The common case (a plain latin-1 str name and value, a list of
``(bytes, bytes)`` tuples) is done here: the name is lowered through a table
and checked for CR, LF and NUL while it is copied, and the list is scanned by
comparing bytes. Anything else (str subclasses, other text, odd list items, a
list that is not a list) goes to the reference ``_asgi_py`` before anything is
changed, so it makes starlette's calls on user objects and raises starlette's
errors. (``_slots.dispatch_items_directly`` lets the item syntax, ``h[k]``,
``h[k] = v``, ``del h[k]`` and ``k in h``, reach these operations without
CPython's method dispatch.)
"""

from cpython.dict cimport PyDict_GetItem, PyDict_GetItemWithError, PyDict_Next
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.list cimport PyList_Append, PyList_GET_ITEM, PyList_GET_SIZE, PyList_GetSlice
from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.string cimport memcmp

from ._capi cimport (
    PyUnicode_1BYTE_DATA, PyUnicode_1BYTE_KIND, PyUnicode_GET_LENGTH, PyUnicode_KIND, TypeObject,
)
from ._attrs cimport _own, _store, _stored_as_given
from ._tables cimport FORBIDDEN, LOWER, fill_header_tables

from . import _common
# response_call is the reference's coroutine in both implementations: a Cython
# coroutine awaits the server's through coroutine-wrapper objects, which costs
# more instructions per ASGI cycle than the interpreter's own await.
from ._asgi_py import (
    STARLETTE_GETLIST, STARLETTE_MUTABLE_HEADERS, HeadersProperty, checked_update, response_call,
    add_vary_header as _py_add_vary, append as _py_append, contains as _py_contains,
    delitem as _py_delitem, getitem as _py_getitem, init as _py_init, raw as _py_raw,
    setdefault as _py_setdefault, setitem as _py_setitem,
)

cdef extern from "Python.h":
    object PyUnicode_DecodeLatin1(const char* data, Py_ssize_t size, const char* errors)
    ctypedef struct PyMethodDef:
        const char* ml_name
        void* ml_meth
        int ml_flags
        const char* ml_doc
    int METH_O
    object PyCFunction_NewEx(PyMethodDef* definition, object bound, object module)

ctypedef unsigned char uchar
ctypedef object (*NewFunction)(object cls, object args, PyObject* kwargs)   # tp_new

fill_header_tables(_common)   # LOWER and FORBIDDEN: see _tables.pxd

cdef bint VARY_JOINS_ALL = _common.VARY_JOINS_ALL

cdef object LIST = "_list"
cdef object SCOPE_HEADERS = "headers"
cdef object HEADERS_ATTR = "_headers"
cdef object SETITEM = "__setitem__"
cdef object GETITEM = "__getitem__"
cdef object GETLIST = "getlist"
cdef object GET = "get"
cdef str VARY = "vary"
cdef bytes VARY_BYTES = b"vary"
cdef str COMMA = ", "
cdef object _MISSING = object()
cdef tuple _NO_ARGS = ()
cdef void* _OBJECT_NEW = (<TypeObject*>object).tp_new


# ------------------------------------------------------------------- text

cdef inline bint _latin1(object text) noexcept:
    return type(text) is str and PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND


cdef bytes _copy(object text, bint lower, bint* refused):
    """Latin-1 bytes of a 1-byte-kind str, lowered for a name; refused[0] is set
    when they hold CR, LF or NUL."""
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(text)
    cdef const uchar* source = PyUnicode_1BYTE_DATA(text)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, n)
    cdef uchar* target = <uchar*>PyBytes_AS_STRING(out)
    cdef uchar bad = 0, c
    for i in range(n):
        c = source[i]
        bad |= FORBIDDEN[c]
        target[i] = LOWER[c] if lower else c
    refused[0] = bad != 0
    return out


# Header name (a plain str without CR, LF or NUL) -> its lowered latin-1 bytes:
# an app uses the same few names again and again.
cdef dict _names = {}
cdef Py_ssize_t NAMES_SIZE = 512


# The last name looked up, by identity: code passes the same (interned) literal
# again and again, and this skips even the dict lookup.
cdef object _last_key = None
cdef bytes _last_name = None


cdef bytes _name(object key, bint* refused):
    """key.lower().encode("latin-1") for a 1-byte-kind str, or None: the caller
    hands over to the reference. refused[0]: the name holds CR, LF or NUL."""
    global _last_key, _last_name
    cdef PyObject* cached
    refused[0] = False
    if key is _last_key:
        return _last_name
    if not _latin1(key):
        return None
    cached = PyDict_GetItem(_names, key)
    if cached is not NULL:
        name = <bytes>cached
    else:
        name = _copy(key, True, refused)
        if refused[0]:
            return name
        if len(_names) >= NAMES_SIZE:
            _names.clear()
        _names[key] = name
    _last_key = key
    _last_name = name
    return name


cdef tuple _pair(object key, object value):
    """(name, value) as stored, or None when the reference must do it (not
    1-byte-kind str). CR, LF or NUL raise fastresp's errors."""
    cdef bint bad_name, bad_value
    if not _latin1(key) or not _latin1(value):
        return None
    name = _name(key, &bad_name)
    data = _copy(value, False, &bad_value)
    if bad_name:
        raise _common.header_name_error(key)
    if bad_value:
        raise _common.header_control_error(_common.header_value_field(key), value)
    return (name, data)


# ------------------------------------------------------------ the raw list

cdef inline bint _equal(object item_key, bytes name) noexcept:
    cdef Py_ssize_t n = PyBytes_GET_SIZE(name)
    return (PyBytes_GET_SIZE(item_key) == n
            and memcmp(PyBytes_AS_STRING(item_key), PyBytes_AS_STRING(name), n) == 0)


cdef inline object _item_key(object item):
    """The name of a (bytes, value) tuple, or None for anything else."""
    if type(item) is not tuple or PyTuple_GET_SIZE(item) != 2:
        return None
    key = <object>PyTuple_GET_ITEM(item, 0)
    return key if type(key) is bytes else None


cdef Py_ssize_t _find(list raw, bytes name, Py_ssize_t start) except -2:
    """The index of the next item named name from start, len(raw) when none, -1
    when an item is not a (bytes, value) tuple (the reference takes over)."""
    cdef Py_ssize_t i
    for i in range(start, PyList_GET_SIZE(raw)):
        key = _item_key(<object>PyList_GET_ITEM(raw, i))
        if key is None:
            return -1
        if _equal(key, name):
            return i
    return PyList_GET_SIZE(raw)


cdef object _list(object self):
    """self._list when it is a list, or None."""
    raw = getattr(self, LIST)
    return raw if type(raw) is list else None


# ------------------------------------------------------------- operations

cdef int _setitem(object self, object key, object value) except -1:
    cdef Py_ssize_t first, i, n
    pair = _pair(key, value)
    raw = _list(self) if pair is not None else None
    if raw is None:
        _py_setitem(self, key, value)
        return 0
    name = <bytes>(<tuple>pair)[0]
    n = PyList_GET_SIZE(raw)
    first = _find(raw, name, 0)
    if first >= 0 and first < n:
        i = _find(raw, name, first + 1)
        if i == n:      # the only one: replaced where it is
            raw[first] = pair
            return 0
    elif first == n:
        PyList_Append(raw, pair)
        return 0
    _py_setitem(self, key, value)   # repeated names or odd items: rare
    return 0


def setitem(self, key, value):
    _setitem(self, key, value)


def delitem(self, key):
    _delitem(self, key)


cdef int _delitem(object self, object key) except -1:
    cdef Py_ssize_t i, n
    cdef bint refused
    name = _name(key, &refused)
    raw = _list(self) if name is not None else None
    if raw is None:
        _py_delitem(self, key)
        return 0
    # Check the whole list first: nothing is removed unless all of it is plain.
    n = PyList_GET_SIZE(raw)
    i = _find(raw, name, 0)
    while 0 <= i < n:
        i = _find(raw, name, i + 1)
    if i < 0:
        _py_delitem(self, key)
        return 0
    i = n - 1
    while i >= 0:
        if _equal(_item_key(<object>PyList_GET_ITEM(raw, i)), name):
            del raw[i]
        i -= 1
    return 0


def append(self, key, value):
    pair = _pair(key, value)
    raw = _list(self) if pair is not None else None
    if raw is None:
        return _py_append(self, key, value)
    PyList_Append(raw, pair)


def setdefault(self, key, value):
    cdef Py_ssize_t i
    pair = _pair(key, value)
    raw = _list(self) if pair is not None else None
    if raw is None:
        return _py_setdefault(self, key, value)
    i = _find(raw, <bytes>(<tuple>pair)[0], 0)
    if i == PyList_GET_SIZE(raw):
        PyList_Append(raw, pair)
        return value
    if i >= 0:
        found = <object>PyTuple_GET_ITEM(<object>PyList_GET_ITEM(raw, i), 1)
        if type(found) is bytes:
            return PyUnicode_DecodeLatin1(PyBytes_AS_STRING(found), PyBytes_GET_SIZE(found), NULL)
    return _py_setdefault(self, key, value)


cdef object _lookup(object self, object key):
    """The stored value of the first header named key (bytes or anything it
    holds), _MISSING when none; None: the reference must do it."""
    cdef Py_ssize_t i
    cdef bint refused
    name = _name(key, &refused)
    raw = _list(self) if name is not None else None
    if raw is None:
        return None
    i = _find(raw, name, 0)
    if i < 0:
        return None
    if i == PyList_GET_SIZE(raw):
        return _MISSING
    return <object>PyTuple_GET_ITEM(<object>PyList_GET_ITEM(raw, i), 1)


def contains(self, key):
    return _contains(self, key)


cdef object _contains(object self, object key):
    found = _lookup(self, key)
    if found is None:
        return _py_contains(self, key)
    return found is not _MISSING


cdef object _getitem(object self, object key):
    found = _lookup(self, key)
    if found is None or found is not _MISSING and type(found) is not bytes:
        return _py_getitem(self, key)
    if found is _MISSING:
        raise KeyError(key)
    return PyUnicode_DecodeLatin1(PyBytes_AS_STRING(found), PyBytes_GET_SIZE(found), NULL)


def getitem(self, key):
    return _getitem(self, key)


cdef object _GETITEM_FUNCTION = getitem
cdef object _SETITEM_FUNCTION = setitem


cdef object _get(object self, object key, object default):
    if _own(type(self), GETITEM, _GETITEM_FUNCTION):
        found = _lookup(self, key)
        if found is _MISSING:
            return default
        if type(found) is bytes:
            return PyUnicode_DecodeLatin1(PyBytes_AS_STRING(found), PyBytes_GET_SIZE(found), NULL)
    try:
        return self[key]
    except KeyError:
        return default


def get(self, key, default=None):
    """``Mapping.get``, as MutableHeaders inherits it."""
    return _get(self, key, default)


cdef object _GET_FUNCTION = get


def update(self, other):
    """All or nothing, as the reference's (checked_update)."""
    if not _own(type(self), SETITEM, _SETITEM_FUNCTION):
        for key, value in other.items():
            self[key] = value   # a subclass's own __setitem__, as starlette calls it
        return
    if type(other) is not dict or not _update_dict(self, <dict>other):
        checked_update(self, other)


cdef bint _update_dict(object self, dict other) except -1:
    """update() from a dict of plain latin-1 str into a list of (bytes, value)
    tuples: every pair is made (and CR, LF or NUL refused) before the first is
    stored. False, with nothing changed and no user code run, for anything
    else: the reference does it."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* key
    cdef PyObject* value
    cdef list pairs = []
    while PyDict_Next(other, &pos, &key, &value):
        pair = _pair(<object>key, <object>value)
        if pair is None:
            return False
        pairs.append(pair)
    raw = _list(self)
    if raw is None or not _plain(<list>raw):
        return False
    for pair in pairs:
        _replace(<list>raw, <tuple>pair)
    return True


cdef bint _plain(list raw) except -1:
    """Every item of raw is a (bytes, value) tuple."""
    cdef Py_ssize_t i
    for i in range(PyList_GET_SIZE(raw)):
        if _item_key(<object>PyList_GET_ITEM(raw, i)) is None:
            return False
    return True


cdef int _replace(list raw, tuple pair) except -1:
    """setitem's work on a plain list: the first header of pair's name replaced,
    the later ones removed; appended when there is none."""
    cdef bytes name = <bytes>pair[0]
    cdef Py_ssize_t i, first = _find(raw, name, 0)
    if first == PyList_GET_SIZE(raw):
        PyList_Append(raw, pair)
        return 0
    i = PyList_GET_SIZE(raw) - 1
    while i > first:
        if _equal(<object>PyTuple_GET_ITEM(<object>PyList_GET_ITEM(raw, i), 0), name):
            del raw[i]
        i -= 1
    raw[first] = pair
    return 0


def add_vary_header(self, vary):
    cls = type(self)
    if not _own(cls, SETITEM, _SETITEM_FUNCTION):
        return _py_add_vary(self, vary)
    if VARY_JOINS_ALL:
        if not _own(cls, GETLIST, STARLETTE_GETLIST):
            return _py_add_vary(self, vary)
        _setitem(self, VARY, COMMA.join([*STARLETTE_GETLIST(self, VARY), vary]))
        return
    if not _own(cls, GET, _GET_FUNCTION):
        return _py_add_vary(self, vary)
    existing = _get(self, VARY, None)
    if existing is not None:
        vary = COMMA.join([existing, vary])
    _setitem(self, VARY, vary)


cdef object _scope_list(object scope):
    """A copy of scope["headers"] when scope is a dict and that is a list, or
    None: making it runs no Python code and raises nothing (a MemoryError is
    left for the caller's ``list()`` to raise again where starlette would)."""
    cdef PyObject* found
    if type(scope) is not dict:
        return None
    found = PyDict_GetItemWithError(scope, SCOPE_HEADERS)
    if found is NULL or type(<object>found) is not list:
        return None
    try:
        return PyList_GetSlice(<object>found, 0, PyList_GET_SIZE(<object>found))
    except MemoryError:
        return None


cdef object _init_scope(object self, object scope, bint plain):
    """``Headers.__init__(self, scope=scope)``, scope not None: the list it
    stores. plain: storing _list on self runs no code (_stored_as_given)."""
    # starlette first sets self._list = []. Where storing runs no code and
    # nothing after it can fail, only the last value is ever seen.
    value = _scope_list(scope) if plain else None
    if value is None:
        _store(self, LIST, [])
        value = list(scope["headers"])
        _store(self, LIST, value)
        scope["headers"] = value
        return value
    _store(self, LIST, value)
    (<dict>scope)[SCOPE_HEADERS] = value
    return value


cdef int _init(object self, object headers, object raw, object scope) except -1:
    if headers is not None:
        _py_init(self, headers, raw, scope)
    elif raw is not None:
        # starlette's first self._list = [] is seen only where the assert
        # fails or storing runs code.
        if scope is not None or not _stored_as_given(type(self), LIST):
            _store(self, LIST, [])
            assert scope is None, 'Cannot set both "raw" and "scope".'
        _store(self, LIST, raw)
    elif scope is not None:
        _init_scope(self, scope, _stored_as_given(type(self), LIST))
    else:
        _store(self, LIST, [])
    return 0


def init(self, headers=None, raw=None, scope=None):
    """``Headers.__init__``: the raw list or the scope's (message's) headers."""
    _init(self, headers, raw, scope)


#: ``MutableHeaders.raw``: the list itself.
raw = property(_py_raw.fget, doc="The raw header list itself.")


def mutable_headers_methods():
    """What this implementation puts on a MutableHeaders class."""
    return {
        "__init__": init, "__setitem__": setitem, "__delitem__": delitem, "append": append,
        "setdefault": setdefault, "update": update, "add_vary_header": add_vary_header,
        "__contains__": contains, "__getitem__": getitem, "get": get, "raw": raw,
    }


# ---------------------------------------------------------------- Response

cdef object _INIT_FUNCTION = init


cdef object _make_headers(object cls, object raw_headers):
    """cls(raw=raw_headers), without the call when cls's __init__ is ours."""
    if (raw_headers is not None and _own(cls, "__init__", _INIT_FUNCTION)
            and (<TypeObject*>cls).tp_new is _OBJECT_NEW):
        headers = (<NewFunction>(<TypeObject*>cls).tp_new)(cls, _NO_ARGS, NULL)
        _store(headers, LIST, raw_headers)
        return headers
    return cls(raw=raw_headers)


def make_headers(cls, raw_headers):
    return _make_headers(cls, raw_headers)


cdef object _headers_get(object cls, object self):
    """``Response.headers`` for a response of a class whose property makes cls
    instances: a METH_O C function bound to cls (see headers_property)."""
    found = getattr(self, HEADERS_ATTR, _MISSING)
    if found is not _MISSING:
        return found
    made = _make_headers(cls, self.raw_headers)
    _store(self, HEADERS_ATTR, made)
    if _stored_as_given(type(self), HEADERS_ATTR):
        return made
    return getattr(self, HEADERS_ATTR)


# The getter is a builtin function bound to the MutableHeaders class (its
# __self__), not a closure: a property calls it with no argument parsing.
cdef PyMethodDef _HEADERS_GET
_HEADERS_GET.ml_name = "headers"
_HEADERS_GET.ml_meth = <void*>_headers_get
_HEADERS_GET.ml_flags = METH_O
_HEADERS_GET.ml_doc = NULL


def headers_property(cls):
    """``Response.headers`` making instances of cls (a MutableHeaders class)."""
    return HeadersProperty(PyCFunction_NewEx(&_HEADERS_GET, cls, None))


#: starlette.responses.Response.headers under install().
headers = headers_property(STARLETTE_MUTABLE_HEADERS)

