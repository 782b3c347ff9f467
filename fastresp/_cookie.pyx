# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# caches need the GIL, so on a free-threaded build importing this module turns
# the GIL on. See README.md, Compatibility.)
"""Set-Cookie values written straight into a bytes buffer.

The fast path takes the argument types real apps pass (plain str of latin-1 text,
int, bool, None, a UTC datetime), measures the header, allocates the bytes object
once and writes it. Anything else, and every input that must be refused, goes to
the pure-Python reference in ``_cookie_py``: it calls the user's ``__str__``
and ``__eq__`` exactly as SimpleCookie does and raises the documented errors, so
the two implementations cannot disagree about odd input or error messages. The
fast path runs no user code, so handing over half-way is always safe.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.datetime cimport (
    PyDateTime_DATE_GET_HOUR, PyDateTime_DATE_GET_MINUTE, PyDateTime_DATE_GET_SECOND,
    PyDateTime_GET_DAY, PyDateTime_GET_MONTH, PyDateTime_GET_YEAR, datetime, import_datetime,
)
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.math cimport floor
from libc.string cimport memcpy

from ._capi cimport (
    PyUnicode_1BYTE_DATA, PyUnicode_1BYTE_KIND, PyUnicode_GET_LENGTH, PyUnicode_KIND, _PyType_Lookup,
)

import time as _time

from . import _common
from ._cookie_py import (
    NOT_PASSED, cookie_value as _py_cookie_value, delete_through_set_cookie,
)

import_datetime()

ctypedef unsigned char uchar

# Tables from _common, copied into C arrays once at import.
cdef uchar LEGAL[256]          # 1: may appear unquoted
cdef uchar CONTROL[256]        # 1: a control character, refused
cdef uchar QUOTE_LEN[256]      # length of the byte's form inside quotes
cdef char QUOTE_TEXT[256][4]   # the byte's form inside quotes
cdef char WEEKDAYS[21]
cdef char MONTHS[36]

cdef object _UTC = _common.UTC
cdef tuple _RESERVED = tuple(sorted(name.encode("ascii") for name in _common.RESERVED_KEYS))
cdef bytes _SET_COOKIE = b"set-cookie"
cdef object _SET_COOKIE_NAME = "set_cookie"

# Years the C date code writes itself; outside them the reference formats the date.
cdef long long FIRST_SECOND = 0               # 1970-01-01T00:00:00
cdef long long LAST_SECOND = 253402300799     # 9999-12-31T23:59:59
cdef long long EXACT_DOUBLE = 1LL << 53       # ints a double holds exactly


cdef int _load_tables() except -1:
    cdef int code
    cdef bytes form
    for code in range(256):
        LEGAL[code] = _common.LEGAL_BYTES[code]
        CONTROL[code] = _common.COOKIE_CONTROL_BYTES[code]
        form = _common.QUOTE_BYTES[code]
        QUOTE_LEN[code] = len(form)
        memcpy(QUOTE_TEXT[code], PyBytes_AS_STRING(form), len(form))
    memcpy(WEEKDAYS, PyBytes_AS_STRING(_common.WEEKDAY_BYTES), 21)
    memcpy(MONTHS, PyBytes_AS_STRING(_common.MONTH_BYTES), 36)
    return 0


_load_tables()


# ----------------------------------------------------------------- text fields

cdef inline bint _latin1(object text) noexcept:
    """A plain str whose characters all fit one byte each."""
    return type(text) is str and PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND


cdef bint _plain_text(object text) noexcept:
    """Latin-1 str with no control character: written as it is."""
    cdef Py_ssize_t i, n
    cdef const uchar* data
    if not _latin1(text):
        return False
    data = PyUnicode_1BYTE_DATA(text)
    n = PyUnicode_GET_LENGTH(text)
    for i in range(n):
        if CONTROL[data[i]]:
            return False
    return True


cdef bint _is_reserved(const uchar* name, Py_ssize_t n) noexcept:
    """``name.lower() in RESERVED_KEYS`` for a name of legal (ASCII) characters."""
    cdef PyObject* reserved
    cdef const uchar* word
    cdef Py_ssize_t i, k
    # By index, with the sizes read by macro: a for loop and len() would add
    # error paths (None checks) that a noexcept function cannot report.
    for k in range(PyTuple_GET_SIZE(_RESERVED)):
        reserved = PyTuple_GET_ITEM(_RESERVED, k)
        if PyBytes_GET_SIZE(<object>reserved) != n:
            continue
        word = <const uchar*>PyBytes_AS_STRING(<object>reserved)
        for i in range(n):
            if (name[i] | 0x20) != word[i]:   # legal letters only differ in case by 0x20
                break
        else:
            return True
    return False


cdef Py_ssize_t _value_length(const uchar* data, Py_ssize_t n, bint* quoted) noexcept:
    """Length of the value as written, quoted or not; -1 for a control character."""
    cdef Py_ssize_t i, length = 2
    cdef bint legal = n > 0          # "" is written as a pair of quotes
    for i in range(n):
        if CONTROL[data[i]]:
            return -1
        legal = legal and LEGAL[data[i]]
        length += QUOTE_LEN[data[i]]
    quoted[0] = not legal
    return length if not legal else n


cdef inline char* _put(char* out, const char* text, Py_ssize_t n) noexcept:
    memcpy(out, text, n)
    return out + n


cdef char* _put_quoted(char* out, const uchar* data, Py_ssize_t n) noexcept:
    cdef Py_ssize_t i
    out[0] = b'"'
    out += 1
    for i in range(n):
        out = _put(out, QUOTE_TEXT[data[i]], QUOTE_LEN[data[i]])
    out[0] = b'"'
    return out + 1


# ------------------------------------------------------------------- numbers

cdef char* _put_int(char* out, long long value) noexcept:
    """Decimal digits of value, as "%d" writes them."""
    cdef char digits[24]
    cdef int n = 0
    # Negated in unsigned arithmetic: -value overflows for the smallest long long.
    cdef unsigned long long rest = (0ULL - <unsigned long long>value) if value < 0 else <unsigned long long>value
    if value < 0:
        out[0] = b'-'
        out += 1
    while True:
        digits[n] = c'0' + <char>(rest % 10)
        n += 1
        rest //= 10
        if rest == 0:
            break
    while n:
        n -= 1
        out[0] = digits[n]
        out += 1
    return out


cdef inline char* _put2(char* out, int value) noexcept:
    out[0] = c'0' + <char>(value // 10)
    out[1] = c'0' + <char>(value % 10)
    return out + 2


cdef struct Civil:
    int year, month, day, weekday   # weekday: 0 is Monday


cdef Civil _civil(long long days) noexcept:
    """Calendar date of a day count from 1970-01-01, proleptic Gregorian, for
    years 1 and later (the divisions assume days + 719468 >= 0)."""
    cdef Civil date
    cdef long long z = days + 719468
    cdef long long era = z // 146097
    cdef long long doe = z - era * 146097
    cdef long long yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    cdef long long doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    cdef long long mp = (5 * doy + 2) // 153
    date.day = <int>(doy - (153 * mp + 2) // 5 + 1)
    date.month = <int>(mp + 3 if mp < 10 else mp - 9)
    date.year = <int>(yoe + era * 400 + (date.month <= 2))
    date.weekday = <int>((days % 7 + 10) % 7)   # 1970-01-01 was a Thursday; C's % keeps
                                                # the sign, so days before it need the + 7
    return date


cdef long long _days(int year, int month, int day) noexcept:
    """Day count from 1970-01-01 of a calendar date (the inverse of _civil)."""
    cdef long long y = year - (month <= 2)
    cdef long long era = y // 400
    cdef long long yoe = y - era * 400
    cdef long long doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    cdef long long doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


# The date as cookies write it: "Wdy, DD Mon YYYY HH:MM:SS GMT".
cdef Py_ssize_t DATE_LENGTH = 29


cdef char* _put_date(char* out, Civil date, int hh, int mm, int ss) noexcept:
    out = _put(out, &WEEKDAYS[3 * date.weekday], 3)
    out = _put(out, b", ", 2)
    out = _put2(out, date.day)
    out[0] = b' '
    out = _put(out + 1, &MONTHS[3 * (date.month - 1)], 3)
    out[0] = b' '
    out = _put2(out + 1, date.year // 100)
    out = _put2(out, date.year % 100)
    out[0] = b' '
    out = _put2(out + 1, hh)
    out[0] = b':'
    out = _put2(out + 1, mm)
    out[0] = b':'
    out = _put2(out + 1, ss)
    return _put(out, b" GMT", 4)


cdef struct Stamp:
    Civil date
    int hh, mm, ss


cdef bint _offset_stamp(object future, Stamp* stamp) except -1:
    """``_getdate(future)`` for an int offset: now plus future seconds, by the same
    float arithmetic as the stdlib. False where the reference must do it."""
    cdef int overflow = 0
    cdef long long offset = PyLong_AsLongLongAndOverflow(future, &overflow)
    cdef double when
    cdef long long second
    if overflow or offset > EXACT_DOUBLE or offset < -EXACT_DOUBLE:
        return False
    now = _time.time()        # looked up per call, like the stdlib (tests freeze it)
    if type(now) is not float:
        return False
    when = <double>now + <double>offset
    if not (FIRST_SECOND <= when < LAST_SECOND + 1):
        return False
    second = <long long>floor(when)
    stamp.date = _civil(second // 86400)
    second %= 86400
    stamp.hh = <int>(second // 3600)
    stamp.mm = <int>(second // 60 % 60)
    stamp.ss = <int>(second % 60)
    return True


cdef bint _datetime_stamp(datetime when, Stamp* stamp) except -1:
    """``format_datetime(when, usegmt=True)`` for a UTC datetime of a four-digit year."""
    cdef int year = PyDateTime_GET_YEAR(when)
    if when.tzinfo is not _UTC or year < 1000:
        return False
    stamp.date = _civil(_days(year, PyDateTime_GET_MONTH(when), PyDateTime_GET_DAY(when)))
    stamp.hh = PyDateTime_DATE_GET_HOUR(when)
    stamp.mm = PyDateTime_DATE_GET_MINUTE(when)
    stamp.ss = PyDateTime_DATE_GET_SECOND(when)
    return True


cdef char* _put_stamp(char* out, Stamp* stamp) noexcept:
    return _put_date(out, stamp.date, stamp.hh, stamp.mm, stamp.ss)


cdef inline bint _flag(object value, bint* result) noexcept:
    """True for a bool, its truth in result; anything else goes to the reference
    (whose ``if value:`` may run user code)."""
    if type(value) is not bool:
        return False
    result[0] = value is True
    return True


cdef inline Py_ssize_t _text_length(object text) noexcept:
    """Length of an attribute given as text: 0 to leave it out ("" or None),
    -1 where the reference must decide."""
    if text is None:
        return 0
    if not _plain_text(text):
        return -1
    return PyUnicode_GET_LENGTH(text)


cdef inline bint _samesite_ok(object samesite) noexcept:
    """``samesite.lower() in ("strict", "lax", "none")`` for plain latin-1 text (no
    latin-1 letter other than A-Z lowers to an ASCII letter)."""
    cdef const uchar* data
    cdef const uchar* word
    cdef PyObject* item
    cdef Py_ssize_t i, k, n
    if not _latin1(samesite):
        return False
    data = PyUnicode_1BYTE_DATA(samesite)
    n = PyUnicode_GET_LENGTH(samesite)
    for k in range(PyTuple_GET_SIZE(_SAMESITE)):     # by index: see _is_reserved
        item = PyTuple_GET_ITEM(_SAMESITE, k)
        if PyBytes_GET_SIZE(<object>item) != n:
            continue
        word = <const uchar*>PyBytes_AS_STRING(<object>item)
        for i in range(n):
            if (data[i] | 0x20 if 0x41 <= data[i] <= 0x5A else data[i]) != word[i]:
                break
        else:
            return True
    return False


cdef tuple _SAMESITE = tuple(word.encode("ascii") for word in _common.SAMESITE_VALUES)


# "; Name=" for each attribute, as _common spells them.
cdef bytes P_DOMAIN = _common.DOMAIN.encode("ascii")
cdef bytes P_EXPIRES = _common.EXPIRES.encode("ascii")
cdef bytes P_HTTPONLY = _common.HTTPONLY.encode("ascii")
cdef bytes P_MAX_AGE = _common.MAX_AGE.encode("ascii")
cdef bytes P_PARTITIONED = _common.PARTITIONED.encode("ascii")
cdef bytes P_PATH = _common.PATH.encode("ascii")
cdef bytes P_SAMESITE = _common.SAMESITE.encode("ascii")
cdef bytes P_SECURE = _common.SECURE.encode("ascii")


cdef inline char* _put_bytes(char* out, bytes text) noexcept:
    # PyBytes_GET_SIZE, not len(): len() checks for None, and on that error path
    # a noexcept function can only return NULL, which the writer would then
    # write through (gcc saw that path: -Warray-bounds on the next memcpy).
    return _put(out, PyBytes_AS_STRING(text), PyBytes_GET_SIZE(text))


cdef inline char* _put_text(char* out, bytes prefix, object text, Py_ssize_t n) noexcept:
    """"; Name=" and the text, when there is text."""
    if n <= 0:
        return out
    out = _put_bytes(out, prefix)
    return _put(out, <const char*>PyUnicode_1BYTE_DATA(text), n)


cdef struct Parts:
    # What the fast path measured of one cookie, for writing it. A length of 0
    # leaves that attribute out.
    Py_ssize_t name_n, raw_n, value_n, domain_n, expires_n, age_n, path_n, samesite_n
    bint quoted, has_stamp, has_age, secure, httponly, partitioned
    Stamp stamp
    char digits[24]


cdef inline Py_ssize_t _measure_name_value(Parts* parts, object key, object value) noexcept:
    """Length of "name=value"; -1 where the reference must decide."""
    cdef const uchar* name
    cdef Py_ssize_t i
    # The name: legal characters only, not an attribute name.
    if not _latin1(key):
        return -1
    name = PyUnicode_1BYTE_DATA(key)
    parts.name_n = PyUnicode_GET_LENGTH(key)
    if parts.name_n == 0 or _is_reserved(name, parts.name_n):
        return -1
    for i in range(parts.name_n):
        if not LEGAL[name[i]]:
            return -1
    # The value: as it is when every character is legal, else quoted.
    if not _latin1(value):
        return -1
    parts.raw_n = PyUnicode_GET_LENGTH(value)
    parts.value_n = _value_length(PyUnicode_1BYTE_DATA(value), parts.raw_n, &parts.quoted)
    if parts.value_n < 0:
        return -1
    return parts.name_n + 1 + parts.value_n


cdef inline Py_ssize_t _measure_expires(Parts* parts, object expires) except -2:
    """Length of the expires text (0: none); -1 where the reference must decide."""
    if expires is None:
        return 0
    if type(expires) is int:
        parts.has_stamp = _offset_stamp(expires, &parts.stamp)
    elif type(expires) is datetime:
        parts.has_stamp = _datetime_stamp(expires, &parts.stamp)
    else:
        return _text_length(expires)
    return DATE_LENGTH if parts.has_stamp else -1


# The last int max_age written and its digits: an app passes the same constant
# (the same int object) again and again. Copied into each cookie's Parts, so
# nothing that runs between measuring and writing can change what is written.
cdef object _last_age = None
cdef char _last_age_digits[24]
cdef Py_ssize_t _last_age_n = 0


cdef inline Py_ssize_t _measure_max_age(Parts* parts, object max_age) except -2:
    """Length of the Max-Age text (0: none); -1 where the reference must decide."""
    global _last_age, _last_age_n
    cdef int overflow = 0
    cdef long long age
    if max_age is None:
        return 0
    if type(max_age) is not int:
        return _text_length(max_age)
    if max_age is not _last_age:
        age = PyLong_AsLongLongAndOverflow(max_age, &overflow)
        if overflow:
            return -1
        _last_age_n = _put_int(_last_age_digits, age) - _last_age_digits
        _last_age = max_age
    parts.has_age = True
    memcpy(parts.digits, _last_age_digits, _last_age_n)
    return _last_age_n


cdef inline Py_ssize_t _attribute(bytes prefix, Py_ssize_t n) noexcept:
    """What an attribute of text length n adds: "; Name=" and the text, or nothing."""
    return PyBytes_GET_SIZE(prefix) + n if n > 0 else 0


cdef inline Py_ssize_t _measure(Parts* parts, object key, object value, object max_age,
                                object expires, object path, object domain, object secure,
                                object httponly, object samesite,
                                object partitioned) except -2:
    """The header's length, every part noted in parts; -1 where the reference must
    decide (odd types, text to refuse, anything to raise)."""
    cdef Py_ssize_t total = _measure_name_value(parts, key, value)
    if total < 0:
        return -1
    parts.domain_n = _text_length(domain)
    parts.expires_n = _measure_expires(parts, expires)
    parts.age_n = _measure_max_age(parts, max_age)
    parts.path_n = _text_length(path)
    if parts.domain_n < 0 or parts.expires_n < 0 or parts.age_n < 0 or parts.path_n < 0:
        return -1
    if not (_flag(httponly, &parts.httponly) and _flag(secure, &parts.secure)
            and _flag(partitioned, &parts.partitioned)):
        return -1
    if samesite is not None and not _samesite_ok(samesite):
        return -1
    parts.samesite_n = 0 if samesite is None else PyUnicode_GET_LENGTH(samesite)
    return (total
            + _attribute(P_DOMAIN, parts.domain_n)
            + _attribute(P_EXPIRES, parts.expires_n)
            + (PyBytes_GET_SIZE(P_HTTPONLY) if parts.httponly else 0)
            + _attribute(P_MAX_AGE, parts.age_n)
            + (PyBytes_GET_SIZE(P_PARTITIONED) if parts.partitioned else 0)
            + _attribute(P_PATH, parts.path_n)
            + _attribute(P_SAMESITE, parts.samesite_n)
            + (PyBytes_GET_SIZE(P_SECURE) if parts.secure else 0))


cdef inline char* _write(char* out, Parts* parts, object key, object value,
                         object max_age, object expires, object path, object domain,
                         object samesite) noexcept:
    """Write the measured header, in SimpleCookie's order; returns its end."""
    cdef const uchar* raw = PyUnicode_1BYTE_DATA(value)
    out = _put(out, <const char*>PyUnicode_1BYTE_DATA(key), parts.name_n)
    out = _put(out, b"=", 1)
    if parts.quoted:
        out = _put_quoted(out, raw, parts.raw_n)
    else:
        out = _put(out, <const char*>raw, parts.raw_n)
    out = _put_text(out, P_DOMAIN, domain, parts.domain_n)
    if parts.has_stamp:
        out = _put_stamp(_put_bytes(out, P_EXPIRES), &parts.stamp)
    else:
        out = _put_text(out, P_EXPIRES, expires, parts.expires_n)
    if parts.httponly:
        out = _put_bytes(out, P_HTTPONLY)
    if parts.has_age:
        out = _put(_put_bytes(out, P_MAX_AGE), parts.digits, parts.age_n)
    else:
        out = _put_text(out, P_MAX_AGE, max_age, parts.age_n)
    if parts.partitioned:
        out = _put_bytes(out, P_PARTITIONED)
    out = _put_text(out, P_PATH, path, parts.path_n)
    out = _put_text(out, P_SAMESITE, samesite, parts.samesite_n)
    if parts.secure:
        out = _put_bytes(out, P_SECURE)
    return out


cdef object _fast_value(object key, object value, object max_age, object expires,
                        object path, object domain, object secure, object httponly,
                        object samesite, object partitioned):
    """The header bytes for the common argument types, or None: then the
    reference decides. Measured first, so the bytes object is made once, at its
    final size, and written in place."""
    cdef Parts parts
    cdef Py_ssize_t total
    cdef char* end
    parts.has_stamp = parts.has_age = parts.quoted = False   # the rest is always set
    total = _measure(&parts, key, value, max_age, expires, path, domain, secure, httponly,
                     samesite, partitioned)
    if total < 0:
        return None
    header = PyBytes_FromStringAndSize(NULL, total)
    end = _write(PyBytes_AS_STRING(header), &parts, key, value, max_age, expires, path,
                 domain, samesite)
    # SimpleCookie strips the header: trailing white space of the last attribute
    # goes. Rare enough to leave to the reference.
    if (<uchar>(end - 1)[0]) in (0x20, 0x85, 0xA0):
        return None
    return header


cdef object _header(object key, object value, object max_age, object expires,
                    object path, object domain, object secure, object httponly,
                    object samesite, object partitioned):
    header = _fast_value(key, value, max_age, expires, path, domain, secure, httponly,
                         samesite, partitioned)
    if header is None:
        header = _py_cookie_value(key, value, max_age, expires, path, domain, secure,
                               httponly, samesite, partitioned)
    return header


def cookie_value(key, value="", max_age=None, expires=None, path="/", domain=None,
                 secure=False, httponly=False, samesite="lax", partitioned=False):
    """The bytes of one Set-Cookie header value."""
    return _header(key, value, max_age, expires, path, domain, secure, httponly, samesite,
                   partitioned)


cdef inline _append(object self, object header):
    self.raw_headers.append((_SET_COOKIE, header))


# set_cookie and delete_cookie take exactly the arguments the installed
# starlette's take (see _common): the variant without partitioned raises
# starlette's TypeError for it, from Python's own argument parsing.
# (What keywords cost, callgrind on CPython 3.11, set_cookie("session", "abc123",
# max_age=3600, httponly=True, secure=True) against the same without them: 86
# instructions in the caller's frame passing them, 99 in Cython's keyword
# matching, the rest writing the longer header; see _last_age for Max-Age.)
if _common.SET_COOKIE_TAKES_PARTITIONED:
    def set_cookie(self, key, value="", max_age=None, expires=None, path="/", domain=None,
                   secure=False, httponly=False, samesite="lax", partitioned=False):
        _append(self, _header(key, value, max_age, expires, path, domain, secure, httponly,
                              samesite, partitioned))
else:
    def set_cookie(self, key, value="", max_age=None, expires=None, path="/", domain=None,
                   secure=False, httponly=False, samesite="lax"):
        _append(self, _header(key, value, max_age, expires, path, domain, secure, httponly,
                              samesite, False))


cdef object _set_cookie = set_cookie
# A C global: read on every delete_cookie call, without a module-dict lookup.
cdef object _NOT_PASSED = NOT_PASSED


cdef _delete(object self, object key, object path, object domain, object secure,
             object httponly, object samesite, object partitioned):
    if _PyType_Lookup(Py_TYPE(self), _SET_COOKIE_NAME) is not <PyObject*>_set_cookie:
        delete_through_set_cookie(self, key, path, domain, secure, httponly, samesite,
                                  partitioned)
        return
    _append(self, _header(key, "", 0, 0, path, domain, secure, httponly, samesite,
                          False if partitioned is _NOT_PASSED else partitioned))


if _common.DELETE_COOKIE_PASSES_PARTITIONED:
    def delete_cookie(self, key, path="/", domain=None, secure=False, httponly=False,
                      samesite="lax", partitioned=False):
        _delete(self, key, path, domain, secure, httponly, samesite, partitioned)
else:
    def delete_cookie(self, key, path="/", domain=None, secure=False, httponly=False,
                      samesite="lax"):
        _delete(self, key, path, domain, secure, httponly, samesite, _NOT_PASSED)
