# A growing byte buffer, written by _json (a JSON document) and _wire (a
# response head): it starts in an array on the caller's C stack and moves to
# the heap the first time more is written than that holds. The caller owns
# it: _begin() before the first write, _release() in a finally.

from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from libc.string cimport memcpy

cdef extern from "Python.h":
    Py_ssize_t PY_SSIZE_T_MAX


cdef struct Writer:
    char* data
    Py_ssize_t size          # bytes written
    Py_ssize_t capacity      # bytes data holds
    char* stack              # the caller's stack array (data starts there)


cdef inline void _begin(Writer* w, char* stack, Py_ssize_t capacity) noexcept:
    w.data = w.stack = stack
    w.size = 0
    w.capacity = capacity


cdef inline void _release(Writer* w) noexcept:
    if w.data != w.stack:
        PyMem_Free(w.data)


cdef inline int _grow(Writer* w, Py_ssize_t needed) except -1:
    """Make room for needed more bytes: at least double the capacity (so n
    appends cost O(n) copying in all), moving off the stack the first time."""
    cdef Py_ssize_t capacity = w.capacity
    cdef char* data
    if needed > PY_SSIZE_T_MAX - w.size:
        raise MemoryError()
    while capacity - w.size < needed:
        capacity = capacity * 2 if capacity <= PY_SSIZE_T_MAX // 2 else PY_SSIZE_T_MAX
    if w.data == w.stack:
        data = <char*>PyMem_Malloc(capacity)
        if data is NULL:
            raise MemoryError()
        memcpy(data, w.data, w.size)
    else:
        data = <char*>PyMem_Realloc(w.data, capacity)
        if data is NULL:
            raise MemoryError()
    w.data = data
    w.capacity = capacity
    return 0


cdef inline int _reserve(Writer* w, Py_ssize_t needed) except -1:
    if w.capacity - w.size < needed:
        return _grow(w, needed)
    return 0


cdef inline int _byte(Writer* w, char c) except -1:
    if w.size == w.capacity:
        _grow(w, 1)
    w.data[w.size] = c
    w.size += 1
    return 0


cdef inline int _bytes(Writer* w, const char* text, Py_ssize_t n) except -1:
    _reserve(w, n)
    memcpy(w.data + w.size, text, n)
    w.size += n
    return 0
