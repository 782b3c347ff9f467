# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# caches need the GIL, so on a free-threaded build importing this module turns
# the GIL on. See README.md, Compatibility.)
"""FastAPI's ``jsonable_encoder`` with a compiled fast path.

The same contract as the reference ``_encoders_py`` (read its docstring): with
every argument at its default, a document of exact dict (exact str keys), list,
tuple, str, int, float, bool and None becomes a new tree of dicts and lists
whose leaves are the document's own objects, "_sa" keys left out; anything else
calls FastAPI's original with the caller's arguments. The fast path runs no user
code, so dropping a half-built tree and calling the original is always safe.

Each container is copied whole first (PyDict_Copy, a list slice, list(tuple)),
which takes every leaf along in one pass; then only the nested containers are
replaced in the copy, and "_sa" keys deleted from it.
"""

from cpython.dict cimport PyDict_Copy, PyDict_DelItem, PyDict_Next, PyDict_SetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE, PyList_GetSlice, PyList_SetItem
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF
from cpython.sequence cimport PySequence_List
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE

import functools

from . import _common
from ._encoders_py import WRAPPER_ASSIGNMENTS, defaults_only

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    Py_UCS4 PyUnicode_READ_CHAR(object text, Py_ssize_t index)
    # Py_TYPE of a borrowed reference, without taking one.
    PyTypeObject* type_of "Py_TYPE" (PyObject* obj) noexcept

# The exact types, compared by address: a subclass never matches.
cdef PyTypeObject* STR = <PyTypeObject*>str
cdef PyTypeObject* INT = <PyTypeObject*>int
cdef PyTypeObject* FLOAT = <PyTypeObject*>float
cdef PyTypeObject* BOOL = <PyTypeObject*>bool
cdef PyTypeObject* NONE = Py_TYPE(None)
cdef PyTypeObject* DICT = <PyTypeObject*>dict
cdef PyTypeObject* LIST = <PyTypeObject*>list
cdef PyTypeObject* TUPLE = <PyTypeObject*>tuple

cdef str SQLALCHEMY_PREFIX = _common.SQLALCHEMY_PREFIX
cdef Py_UCS4 PREFIX_FIRST = SQLALCHEMY_PREFIX[0]
cdef int MAX_DEPTH = _common.JSONABLE_MAX_DEPTH
# A C global: read on every call that passes arguments, without a module-dict lookup.
cdef object _defaults_only = defaults_only

#: Returned by the fast path when it gives up (never part of a document).
cdef object MISS = object()


cdef inline bint _is_leaf(PyTypeObject* cls) noexcept:
    return cls == STR or cls == INT or cls == FLOAT or cls == BOOL or cls == NONE


cdef object _tree(object obj, int depth):
    """The new tree for a dict, list or tuple, MISS for anything else."""
    if depth == 0:
        return MISS
    cdef PyTypeObject* cls = Py_TYPE(obj)
    if cls == DICT:
        return _dict(<dict>obj, depth - 1)
    if cls == LIST:
        return _items(PyList_GetSlice(obj, 0, PyList_GET_SIZE(obj)), depth - 1)
    if cls == TUPLE:
        return _items(PySequence_List(obj), depth - 1)
    return MISS


cdef object _items(list out, int depth):
    """Replaces the containers of *out* (a fresh copy) by their new trees."""
    cdef Py_ssize_t index
    cdef object item, new
    # *out* is this function's own list: nothing else can resize it.
    for index in range(PyList_GET_SIZE(out)):
        item = <object>PyList_GET_ITEM(out, index)
        if _is_leaf(Py_TYPE(item)):
            continue
        new = _tree(item, depth)
        if new is MISS:
            return MISS
        Py_INCREF(new)              # PyList_SetItem steals it
        PyList_SetItem(out, index, new)
    return out


cdef inline bint _sqlalchemy_key(str key) except -1:
    # Most keys do not start with "_": one character decides (~20% of the
    # instructions of the benchmark). A dict key is always a "ready" str (hashing
    # readies a legacy one on 3.9-3.11), so the macros may read it.
    return (PyUnicode_GET_LENGTH(key) != 0 and PyUnicode_READ_CHAR(key, 0) == PREFIX_FIRST
            and key.startswith(SQLALCHEMY_PREFIX))


cdef object _dict(dict source, int depth):
    cdef dict out = PyDict_Copy(source)
    cdef Py_ssize_t position = 0
    cdef PyObject* raw_key
    cdef PyObject* raw_value
    cdef object key, value, new
    while PyDict_Next(source, &position, &raw_key, &raw_value):
        if type_of(raw_key) != STR:
            return MISS
        if _is_leaf(type_of(raw_value)):
            if _sqlalchemy_key(<str>raw_key):
                PyDict_DelItem(out, <object>raw_key)
            continue
        # Owned references from here on: building the nested tree allocates, and
        # nothing it starts may free them under us.
        key = <object>raw_key
        value = <object>raw_value
        if _sqlalchemy_key(key):
            PyDict_DelItem(out, key)    # FastAPI never looks at its value
            continue
        new = _tree(value, depth)
        if new is MISS:
            return MISS
        PyDict_SetItem(out, key, new)
    return out


def wrap(original):
    """The fast ``jsonable_encoder`` in front of FastAPI's *original* (which must
    have the signature of ``_common.JSONABLE_DEFAULTS``). It takes ``*args,
    **kwargs`` as the reference does (Cython cannot name a parameter
    ``include``, and FastAPI then answers every unusual call itself)."""

    def jsonable_encoder(*args, **kwargs):
        cdef object obj, result
        if (PyTuple_GET_SIZE(args) == 1 and not kwargs) or _defaults_only(args, kwargs):
            obj = <object>PyTuple_GET_ITEM(args, 0)
            if _is_leaf(Py_TYPE(obj)):
                return obj
            result = _tree(obj, MAX_DEPTH)
            if result is not MISS:
                return result
        return original(*args, **kwargs)

    return functools.update_wrapper(jsonable_encoder, original, WRAPPER_ASSIGNMENTS, ())
