# What _slots needs to let a response class be called without type.__call__.

from cpython.object cimport PyObject

cdef object _construct(object cls, PyObject** args, size_t nargsf, PyObject* kwnames)
cdef bint _construct_takes(object cls) except -1

# A vectorcall's arguments as (args tuple, kwargs dict).
cdef tuple _packed(PyObject** args, Py_ssize_t n, PyObject* kwnames)
