# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# caches need the GIL, so on a free-threaded build importing this module turns
# the GIL on. See README.md, Compatibility.)
"""``JSONResponse.render``, compiled: starlette's ``json.dumps`` bytes, written
straight into one growing UTF-8 buffer.

The document is walked once and written as it goes: exact ``dict`` (exact ``str``
keys), ``list``, ``tuple``, ``str``, ``int``, ``float``, ``bool`` and ``None``,
nested at most JSON_MAX_DEPTH deep. Anything else (a subclass, another key type,
NaN or an infinity, a lone surrogate, a deeper document or a cycle, any other
type) hands the whole document to the reference ``_json_py.dumps``, so the
result or the exception is json's own. Nothing here calls user code (no
``__eq__``, ``__hash__``, ``__repr__`` of a user object, and no allocation that
could start the garbage collector), so giving up half-way is always safe, and
the containers cannot change while they are walked.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_Next
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.mem cimport PyMem_Free
from cpython.object cimport Py_TYPE, PyObject, PyObject_Repr, PyTypeObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.math cimport fabs, isfinite, rint, signbit
from libc.string cimport memcpy, strlen

from ._buffer cimport Writer, _begin, _byte, _bytes, _grow, _release, _reserve

from . import _common
from ._json_py import dumps as _py_dumps

ctypedef unsigned char uchar
ctypedef unsigned short ucs2
ctypedef unsigned int ucs4

cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    bint PyUnicode_IS_ASCII(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    int PyUnicode_1BYTE_KIND
    int PyUnicode_2BYTE_KIND
    ucs4 PyUnicode_READ(int kind, const void* data, Py_ssize_t index)
    char* PyOS_double_to_string(double value, char format_code, int precision,
                                int flags, int* type) except NULL
    int Py_DTSF_ADD_DOT_0
    PyObject* Py_True
    PyObject* Py_False
    PyObject* Py_None

cdef extern from "<float.h>":
    int FLT_EVAL_METHOD     # 0: double arithmetic is done in double (SSE2, ARM)


# What the writers return: OK, HAND_OVER (json must write this document) or -1
# with an exception set (only MemoryError: nothing else can fail here).
cdef enum:
    OK = 0
    HAND_OVER = 1

cdef Py_ssize_t MAX_DEPTH = _common.JSON_MAX_DEPTH

# json's text for each ASCII character inside a string: ESCAPE_SIZE[c] bytes of
# ESCAPE[c] (1 and the character itself when it stands as it is).
cdef uchar ESCAPE_SIZE[128]
cdef char ESCAPE[128][6]
cdef uchar ESCAPED[128]     # 1 where the character is escaped
for _code in range(128):
    _text = _common.JSON_ASCII[_code]
    ESCAPE_SIZE[_code] = len(_text)
    ESCAPED[_code] = len(_text) != 1
    for _i in range(len(_text)):
        ESCAPE[_code][_i] = _text[_i]

# "00" to "99", for writing integers two digits at a time.
cdef char DIGIT_PAIRS[200]
for _code in range(100):
    DIGIT_PAIRS[2 * _code] = ord("0") + _code // 10
    DIGIT_PAIRS[2 * _code + 1] = ord("0") + _code % 10

# 1e0 to 1e19, all exact doubles.
cdef double POW10[20]
for _code in range(20):
    POW10[_code] = 10.0 ** _code

# Small documents are written on the stack; a bigger one moves to the heap.
cdef enum:
    STACK_SIZE = 512


# ------------------------------------------------------------------- numbers

cdef int _int(Writer* w, object value) except -1:
    """int.__repr__: machine-size ints from the digit table, bigger ones through
    int's own repr (which raises past sys.get_int_max_str_digits(): then json
    is asked, and raises the same)."""
    cdef int overflow = 0
    cdef long long n = PyLong_AsLongLongAndOverflow(value, &overflow)
    cdef unsigned long long u
    cdef char digits[24]
    cdef Py_ssize_t start = 24
    if overflow:
        return _big_int(w, value)
    u = <unsigned long long>(-(n + 1)) + 1 if n < 0 else <unsigned long long>n
    while u >= 100:
        start -= 2
        memcpy(digits + start, DIGIT_PAIRS + 2 * (u % 100), 2)
        u //= 100
    if u >= 10:
        start -= 2
        memcpy(digits + start, DIGIT_PAIRS + 2 * u, 2)
    else:
        start -= 1
        digits[start] = <char>(c'0' + u)
    if n < 0:
        start -= 1
        digits[start] = c'-'
    return _bytes(w, digits + start, 24 - start)


cdef int _big_int(Writer* w, object value) except -1:
    try:
        text = PyObject_Repr(value)   # exact int: int.__repr__, no user code
    except ValueError:
        return HAND_OVER              # too many digits: json raises it, message and all
    return _bytes(w, <const char*>PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text))


cdef int _float(Writer* w, double value) except -1:
    """float.__repr__: short values here, the rest with the same call and flags
    as float.__repr__; NaN and infinities are json's to refuse."""
    cdef char* text
    if not isfinite(value):
        return HAND_OVER
    if _short_float(w, value):
        return OK
    text = PyOS_double_to_string(value, c'r', 0, Py_DTSF_ADD_DOT_0, NULL)
    try:
        _bytes(w, text, strlen(text))
    finally:
        PyMem_Free(text)
    return OK


cdef bint _short_float(Writer* w, double value) except -1:
    """Write value as float.__repr__ does when its shortest repr has at most 15
    significant digits in fixed notation (1e-4 <= |value| < 1e15, and 0.0);
    False (nothing written) for any other value.

    repr is the shortest decimal that rounds back to value. With d digits after
    the point, m = rint(value * 10**d) is the only candidate of at most 15
    digits (no two decimals of 15 digits or fewer round to the same double), and
    m / 10**d, one correctly rounded IEEE division of exact operands, is
    exactly the double that decimal reads as. The first d that gives back value
    is therefore repr's: fewer digits after the point, fewer digits in all.
    """
    cdef double magnitude = fabs(value), scaled
    cdef Py_ssize_t d
    if FLT_EVAL_METHOD != 0:
        return False        # wider intermediates (x87) would round twice: dtoa only
    if magnitude == 0.0:
        if signbit(value):
            _bytes(w, "-0.0", 4)
        else:
            _bytes(w, "0.0", 3)
        return True
    if not 1e-4 <= magnitude < 1e15:
        return False
    for d in range(20):
        scaled = rint(magnitude * POW10[d])
        if scaled >= 1e15:
            return False
        if scaled / POW10[d] == magnitude:
            _fixed(w, <unsigned long long>scaled, d, value < 0)
            return True
    return False


cdef int _fixed(Writer* w, unsigned long long m, Py_ssize_t d, bint negative) except -1:
    """m / 10**d in fixed notation ("12.5", "0.001", "7.0"): m's digits, with
    zeros in front up to d + 1 of them, and the point before the last d."""
    cdef char digits[48]      # up to 20 digits, the point, ".0" and the sign
    cdef Py_ssize_t start = 48, count = 0
    if d == 0:
        start -= 2
        digits[46] = c'.'
        digits[47] = c'0'
    while m or count <= d:
        if count == d and d:
            start -= 1
            digits[start] = c'.'
        start -= 1
        digits[start] = <char>(c'0' + m % 10)
        m //= 10
        count += 1
    if negative:
        start -= 1
        digits[start] = c'-'
    return _bytes(w, digits + start, 48 - start)


# ------------------------------------------------------------------- strings

cdef int _str(Writer* w, object text) except -1:
    """A JSON string. Text without a character to escape is written in one
    pass (ASCII copied as it is checked); otherwise the exact UTF-8 size is
    counted first (and a lone surrogate found), then the text is written into
    the reserved room."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t size
    cdef char* out
    if PyUnicode_IS_ASCII(text):
        _reserve(w, n + 2)
        out = w.data + w.size
        if not _copy_ascii(out + 1, <const uchar*>data, n):
            out[0] = c'"'
            out[n + 1] = c'"'
            w.size += n + 2
            return OK
    elif _plain_text(w, data, kind, n):
        return OK
    if kind == PyUnicode_1BYTE_KIND:
        size = _text_size(<const uchar*>data, n)
    elif kind == PyUnicode_2BYTE_KIND:
        size = _text_size(<const ucs2*>data, n)
    else:
        size = _text_size(<const ucs4*>data, n)
    if size < 0:
        return HAND_OVER
    _reserve(w, size + 2)
    w.data[w.size] = c'"'
    w.size += 1
    if kind == PyUnicode_1BYTE_KIND:
        _write_text(w, <const uchar*>data, n)
    elif kind == PyUnicode_2BYTE_KIND:
        _write_text(w, <const ucs2*>data, n)
    else:
        _write_text(w, <const ucs4*>data, n)
    w.data[w.size] = c'"'
    w.size += 1
    return OK


cdef bint _copy_ascii(char* out, const uchar* data, Py_ssize_t n) noexcept:
    """Copy n ASCII characters; True when one of them is to be escaped (the
    copy is then of no use)."""
    cdef Py_ssize_t i
    cdef uchar escaped = 0
    for i in range(n):
        out[i] = <char>data[i]
        escaped |= ESCAPED[data[i]]
    return escaped


cdef bint _plain_text(Writer* w, const void* data, int kind, Py_ssize_t n) except -1:
    """Write non-ASCII text as a JSON string in one pass, into room for its
    longest UTF-8 (2, 3 or 4 bytes a character, by kind); False, the writer
    unchanged, at the first character to escape or surrogate: the counted path
    then takes it."""
    cdef Py_ssize_t i
    cdef ucs4 c
    cdef char* out
    _reserve(w, (kind + 1 if kind < 4 else 4) * n + 2)
    out = w.data + w.size
    out[0] = c'"'
    out += 1
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c < 128:
            if ESCAPED[c]:
                return False
            out[0] = <char>c
            out += 1
        elif 0xD800 <= c <= 0xDFFF:
            return False
        else:
            out = _utf8(out, c)
    out[0] = c'"'
    w.size = out + 1 - w.data
    return True


# The three kinds of str share one size loop and one writer (Cython compiles one
# of each per kind; a latin-1 character is never a surrogate and takes 2 bytes).
ctypedef fused code_unit:
    uchar
    ucs2
    ucs4


cdef Py_ssize_t _text_size(const code_unit* data, Py_ssize_t n) noexcept:
    """The UTF-8 size, or -1 for a surrogate (lone in a 2-byte str; a 4-byte str
    keeps a pair as two)."""
    cdef Py_ssize_t i, size = n
    cdef ucs4 c
    for i in range(n):
        c = data[i]
        if c < 128:
            size += ESCAPE_SIZE[c] - 1
        elif c < 0x800:
            size += 1
        elif c < 0x10000:
            if 0xD800 <= c <= 0xDFFF:
                return -1
            size += 2
        else:
            size += 3
    return size


cdef inline char* _ascii(char* out, ucs4 c) noexcept:
    cdef uchar size = ESCAPE_SIZE[c]
    if size == 1:
        out[0] = <char>c
        return out + 1
    memcpy(out, ESCAPE[c], size)
    return out + size


cdef inline char* _utf8(char* out, ucs4 c) noexcept:
    """c (>= 128, not a surrogate) as UTF-8."""
    if c < 0x800:
        out[0] = <char>(0xC0 | (c >> 6))
        out[1] = <char>(0x80 | (c & 0x3F))
        return out + 2
    if c < 0x10000:
        out[0] = <char>(0xE0 | (c >> 12))
        out[1] = <char>(0x80 | ((c >> 6) & 0x3F))
        out[2] = <char>(0x80 | (c & 0x3F))
        return out + 3
    out[0] = <char>(0xF0 | (c >> 18))
    out[1] = <char>(0x80 | ((c >> 12) & 0x3F))
    out[2] = <char>(0x80 | ((c >> 6) & 0x3F))
    out[3] = <char>(0x80 | (c & 0x3F))
    return out + 4


cdef void _write_text(Writer* w, const code_unit* data, Py_ssize_t n) noexcept:
    cdef char* out = w.data + w.size
    cdef Py_ssize_t i
    for i in range(n):
        out = _ascii(out, data[i]) if data[i] < 128 else _utf8(out, data[i])
    w.size = out - w.data


# ---------------------------------------------------------------- containers

cdef int _value(Writer* w, PyObject* value, Py_ssize_t depth) except -1:
    """Write one value (a borrowed reference: nothing here can free it)."""
    cdef PyTypeObject* kind = Py_TYPE(<object>value)
    if kind is <PyTypeObject*>str:
        return _str(w, <object>value)
    if kind is <PyTypeObject*>int:
        return _int(w, <object>value)
    if kind is <PyTypeObject*>dict:
        return _dict(w, <dict><object>value, depth + 1)
    if kind is <PyTypeObject*>list:
        return _list(w, <list><object>value, depth + 1)
    if kind is <PyTypeObject*>float:
        return _float(w, PyFloat_AS_DOUBLE(<object>value))
    if value is Py_True:
        return _bytes(w, "true", 4)
    if value is Py_False:
        return _bytes(w, "false", 5)
    if value is Py_None:
        return _bytes(w, "null", 4)
    if kind is <PyTypeObject*>tuple:
        return _tuple(w, <tuple><object>value, depth + 1)
    return HAND_OVER


cdef int _dict(Writer* w, dict d, Py_ssize_t depth) except -1:
    cdef Py_ssize_t pos = 0
    cdef PyObject* key
    cdef PyObject* value
    cdef bint first = True
    if depth > MAX_DEPTH:
        return HAND_OVER
    _byte(w, c'{')
    while PyDict_Next(d, &pos, &key, &value):
        if type(<object>key) is not str:
            return HAND_OVER      # json converts int, float, bool and None keys
        if not first:
            _byte(w, c',')
        first = False
        if _str(w, <object>key) or _byte(w, c':') or _value(w, value, depth):
            return HAND_OVER
    return _byte(w, c'}')


cdef int _list(Writer* w, list items, Py_ssize_t depth) except -1:
    cdef Py_ssize_t i = 0
    if depth > MAX_DEPTH:
        return HAND_OVER
    _byte(w, c'[')
    while i < PyList_GET_SIZE(items):      # the size read again each step
        if i:
            _byte(w, c',')
        if _value(w, PyList_GET_ITEM(items, i), depth):
            return HAND_OVER
        i += 1
    return _byte(w, c']')


cdef int _tuple(Writer* w, tuple items, Py_ssize_t depth) except -1:
    cdef Py_ssize_t i
    if depth > MAX_DEPTH:
        return HAND_OVER
    _byte(w, c'[')
    for i in range(PyTuple_GET_SIZE(items)):
        if i:
            _byte(w, c',')
        if _value(w, PyTuple_GET_ITEM(items, i), depth):
            return HAND_OVER
    return _byte(w, c']')


# -------------------------------------------------------------------- public

cdef object _written(object content):
    """The document's bytes as written here, or None when json must write it."""
    cdef char stack[STACK_SIZE]
    cdef Writer w
    _begin(&w, stack, STACK_SIZE)
    try:
        if _value(&w, <PyObject*>content, 0) == OK:
            return PyBytes_FromStringAndSize(w.data, w.size)
        return None
    finally:
        _release(&w)


cpdef bytes dumps(object content):
    """The JSON text of content as UTF-8 bytes, exactly as starlette renders it."""
    result = _written(content)
    return _py_dumps(content) if result is None else result


def written(content):
    """The bytes the compiled path writes for content, or None when the document
    is handed to json: lets the tests see which path a document took."""
    return _written(content)


def render(self, content):
    """``JSONResponse.render``."""
    return dumps(content)
