# The header tables the compiled _headers and _asgi both read, defined once.
#
# fastresp._common holds the source of truth as 256-byte strings
# (LOWER_LATIN1, HEADER_FORBIDDEN_BYTES); the hot loops want C arrays they can
# index without a Python call. A .pxd has no storage of its own: a `cdef`
# array declared here would belong to a compiled `_tables` module, reached
# from the others through a pointer set up at import (one more module to build
# and ship, and one more indirection in every loop). So the arrays are written
# here once, as `static` C arrays, and each module that cimports this file gets
# its own copy in its own C file, filled from _common by fill_header_tables()
# when that module is imported (nothing writes them afterwards).

from cpython.bytes cimport PyBytes_AS_STRING
from libc.string cimport memcpy

cdef extern from *:
    """
    static unsigned char fastresp_LOWER[256];
    static unsigned char fastresp_FORBIDDEN[256];
    """
    unsigned char LOWER "fastresp_LOWER"[256]           # str.lower() of each latin-1 character
    unsigned char FORBIDDEN "fastresp_FORBIDDEN"[256]   # 1: refused in a header (CR, LF, NUL)


cdef inline int fill_table(unsigned char* table, bytes source) except -1:
    """Copy a 256-byte table of _common into a C array."""
    if len(source) != 256:     # (and a TypeError for None)
        raise ValueError("a byte table must hold 256 entries")
    memcpy(table, PyBytes_AS_STRING(source), 256)
    return 0


cdef inline int fill_header_tables(object common) except -1:
    """Copy LOWER and FORBIDDEN from *common* (the module fastresp._common)."""
    fill_table(LOWER, common.LOWER_LATIN1)
    fill_table(FORBIDDEN, common.HEADER_FORBIDDEN_BYTES)
    return 0
