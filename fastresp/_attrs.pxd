# Inline helpers over a class's method lookup and its instances' attribute
# slots, shared by the compiled modules that cimport them.

from cpython.object cimport Py_TYPE, PyObject, PyTypeObject

from ._capi cimport (
    GENERIC_GETATTR, GENERIC_SETATTR, PyObject_GenericSetAttr, TypeObject, _PyType_Lookup,
)


cdef inline bint _own(object cls, object name, object function) noexcept:
    """True when cls still uses that function for that method."""
    return _PyType_Lookup(<PyTypeObject*>cls, name) is <PyObject*>function


cdef inline int _store(object obj, object name, object value) except -1:
    """setattr(obj, name, value), straight to object's own setattr when that is
    obj's (PyObject_SetAttr would first intern the name, already interned)."""
    if (<TypeObject*>Py_TYPE(obj)).tp_setattro is GENERIC_SETATTR:
        return PyObject_GenericSetAttr(obj, name, value)
    setattr(obj, name, value)
    return 0


cdef inline bint _stored_as_given(object cls, object name) noexcept:
    """Reading name back from an instance of cls gives what was just set: both
    attribute slots are object's own and no class attribute stands behind it."""
    cdef TypeObject* t = <TypeObject*>cls
    return (t.tp_getattro is GENERIC_GETATTR and t.tp_setattro is GENERIC_SETATTR
            and _PyType_Lookup(<PyTypeObject*>cls, name) is NULL)
