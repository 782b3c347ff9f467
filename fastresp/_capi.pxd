# The parts of CPython's C API the compiled modules use that Cython's own
# cpython/*.pxd files do not declare (or declare with other C types), declared
# once. Extern declarations only: nothing here is compiled or imported at run
# time.

from cpython.object cimport PyObject, PyTypeObject

cdef extern from "Python.h":
    # The attribute a type's MRO holds for a name, not called (a borrowed
    # reference; NULL when there is none).
    PyObject* _PyType_Lookup(PyTypeObject* type, object name)

    # A str's own storage (PEP 393): text of the 1-byte kind is its latin-1 bytes.
    int PyUnicode_KIND(object text)
    const unsigned char* PyUnicode_1BYTE_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    int PyUnicode_1BYTE_KIND

    # object's own attribute slots, compared with a class's to know that an
    # attribute set on an instance reads back as it was set.
    int PyObject_GenericSetAttr(object obj, object name, object value) except -1
    object PyObject_GenericGetAttr(object obj, object name)
    void* GENERIC_GETATTR "((void*)PyObject_GenericGetAttr)"
    void* GENERIC_SETATTR "((void*)PyObject_GenericSetAttr)"

    # The protocol slots _slots sets on a MutableHeaders class (see _slots.dispatch_items_directly).
    ctypedef struct MappingMethods "PyMappingMethods":
        void* mp_subscript
        void* mp_ass_subscript
    ctypedef struct SequenceMethods "PySequenceMethods":
        void* sq_contains

    # The fields of a type object the compiled modules read or set.
    ctypedef struct TypeObject "PyTypeObject":
        unsigned long tp_flags
        unsigned int tp_version_tag
        void* tp_getattro
        void* tp_setattro
        void* tp_descr_get
        void* tp_descr_set
        void* tp_new
        void* tp_init
        void* tp_call
        Py_ssize_t tp_vectorcall_offset
        void* tp_vectorcall
        MappingMethods* tp_as_mapping
        SequenceMethods* tp_as_sequence

cdef extern from *:
    """
    /* A type's version tag, 0 when it has none. CPython 3.10 and later reset the
       tag to 0 when the type or a base is modified (3.13 no longer keeps the
       VALID_VERSION_TAG flag); 3.9 only clears that flag. */
    #if PY_VERSION_HEX >= 0x030A0000
    #define FASTRESP_VERSION_TAG(t) ((t)->tp_version_tag)
    #else
    #define FASTRESP_VERSION_TAG(t) \
        (((t)->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) ? (t)->tp_version_tag : 0)
    #endif
    """
    unsigned int _version_tag "FASTRESP_VERSION_TAG"(PyTypeObject* type)
