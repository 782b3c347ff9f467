# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none. The tables
# below are filled once at import and only read afterwards.)
"""uvicorn's httptools protocol, the per-request work compiled: the response
head writer and chunk framing (called from ``RequestResponseCycle.send``, which
stays bytecode, see _SEND), the request-head callbacks (``on_message_begin``,
``on_url``, ``on_header``, ``on_headers_complete``) and the cycle each request
gets.

Each function is a method of uvicorn's classes (``self`` is uvicorn's protocol
or cycle object) and does what the checked uvicorn source does, step for step
and in the same order (see fastresp/_uvicorn_release.py): the same bytes
written, the same attributes set, the same exceptions. Header lines whose name
and value are exact ``bytes`` are checked through byte tables built from
uvicorn's own ``HEADER_RE`` and ``HEADER_VALUE_RE`` and lowered while copied;
anything else takes uvicorn's own operations (its regexes, ``lower()``), so
odd objects raise what uvicorn raises. fastresp/uvicorn.py decides whether this
module is used at all; importing it needs uvicorn with httptools.
"""

import asyncio
import urllib.parse

import httptools
from uvicorn.protocols.http import httptools_impl as _uv

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_GetItemWithError
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.object cimport Py_TYPE, PyObject, PyTypeObject
from libc.string cimport memcmp, memcpy

from ._buffer cimport Writer, _begin, _bytes, _release, _reserve
from ._capi cimport GENERIC_SETATTR, PyObject_GenericSetAttr, TypeObject, _PyType_Lookup

from ._uvicorn_release import INVALID_NAME, INVALID_VALUE, TOO_LONG, TOO_SHORT

cdef object HEADER_RE = _uv.HEADER_RE
cdef object HEADER_VALUE_RE = _uv.HEADER_VALUE_RE
cdef dict STATUS_LINE = _uv.STATUS_LINE
cdef object HIGH_WATER_LIMIT = _uv.HIGH_WATER_LIMIT
cdef object service_unavailable = _uv.service_unavailable
cdef object parse_url = httptools.parse_url
cdef object unquote = urllib.parse.unquote
cdef object Event = asyncio.Event

# `name, value = item` as the interpreter runs it (its own error messages, which
# differ between Python releases), for items that are not a tuple or a list of two.
_scope = {}
exec("def unpack(item):\n    name, value = item\n    return name, value\n", _scope)
cdef object _unpack = _scope.pop("unpack")

cdef unsigned char BAD_NAME[256]     # 1: HEADER_RE matches this byte
cdef unsigned char BAD_VALUE[256]    # 1: HEADER_VALUE_RE matches this byte
cdef unsigned char LOWER[256]        # bytes.lower() of each byte (ASCII letters only)


cdef int _fill_tables() except -1:
    cdef int byte
    for byte in range(256):
        one = bytes((byte,))
        BAD_NAME[byte] = HEADER_RE.search(one) is not None
        BAD_VALUE[byte] = HEADER_VALUE_RE.search(one) is not None
        LOWER[byte] = one.lower()[0]
    return 0


_fill_tables()


cdef int _add_object(Writer* buffer, object data) except -1:
    """Append any bytes-like object (what ``b"".join`` accepts)."""
    cdef const unsigned char[::1] view
    if type(data) is bytes:
        return _bytes(buffer, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    view = memoryview(data).cast("B")
    if view.shape[0]:
        _bytes(buffer, <const char*>&view[0], view.shape[0])
    return 0


cdef inline bint _has(const unsigned char* table, const unsigned char* data, Py_ssize_t size) noexcept:
    cdef Py_ssize_t i
    for i in range(size):
        if table[data[i]]:
            return True
    return False


cdef inline bint _is(const char* data, Py_ssize_t size, const char* word, Py_ssize_t length) noexcept:
    return size == length and memcmp(data, word, length) == 0


cdef int _framing(cycle, object name, object value, bint* has_close) except -1:
    """uvicorn's content-length / transfer-encoding / connection decisions for
    one header whose *name* is already lowered."""
    if name == b"content-length" and cycle.chunked_encoding is None:
        cycle.expected_content_length = int(value.decode())
        cycle.chunked_encoding = False
    elif name == b"transfer-encoding" and value.lower() == b"chunked":
        cycle.expected_content_length = 0
        cycle.chunked_encoding = True
    elif name == b"connection":
        connection = [token.lower().strip() for token in value.split(b",")]
        if b"close" in connection:
            cycle.keep_alive = False
            has_close[0] = True
    return 0


cdef object _content_length(bytes value):
    """``int(value.decode())``: plain ASCII digits are read here, anything else
    (spaces, signs, underscores, other scripts' digits, errors) by int() itself."""
    cdef const unsigned char* data = <const unsigned char*>PyBytes_AS_STRING(value)
    cdef Py_ssize_t size = PyBytes_GET_SIZE(value), i
    cdef long long number = 0
    if size == 0 or size > 18:
        return int(value.decode())
    for i in range(size):
        if data[i] < 48 or data[i] > 57:
            return int(value.decode())
        number = number * 10 + (data[i] - 48)
    return number


cdef int _add_line(Writer* buffer, cycle, object name, object value, bint* has_close) except -1:
    """Check one header line, apply its framing and append it."""
    cdef const unsigned char* data
    cdef Py_ssize_t size, start, i
    cdef const char* lowered
    cdef char* out
    if type(name) is not bytes or type(value) is not bytes:
        return _add_line_generic(buffer, cycle, name, value, has_close)
    data = <const unsigned char*>PyBytes_AS_STRING(name)
    size = PyBytes_GET_SIZE(name)
    if _has(BAD_NAME, data, size):
        raise RuntimeError(INVALID_NAME)
    if _has(BAD_VALUE, <const unsigned char*>PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value)):
        raise RuntimeError(INVALID_VALUE)
    _reserve(buffer, size + PyBytes_GET_SIZE(value) + 4)
    start = buffer.size
    for i in range(size):
        buffer.data[start + i] = <char>LOWER[data[i]]
    buffer.size += size
    # Only three names (of lengths 10, 14 and 17) decide anything.
    lowered = buffer.data + start
    if _is(lowered, size, b"content-length", 14):
        if cycle.chunked_encoding is None:
            cycle.expected_content_length = _content_length(value)
            cycle.chunked_encoding = False
    elif _is(lowered, size, b"transfer-encoding", 17) or _is(lowered, size, b"connection", 10):
        _framing(cycle, PyBytes_FromStringAndSize(lowered, size), value, has_close)
    # the room for ": ", the value and CRLF was reserved with the name's
    size = PyBytes_GET_SIZE(value)
    out = buffer.data + buffer.size
    out[0] = b":"
    out[1] = b" "
    memcpy(out + 2, PyBytes_AS_STRING(value), size)
    out[size + 2] = b"\r"
    out[size + 3] = b"\n"
    buffer.size += size + 4
    return 0


cdef int _add_line_generic(Writer* buffer, cycle, object name, object value, bint* has_close) except -1:
    """uvicorn's own operations, for names and values that are not exact bytes."""
    if HEADER_RE.search(name):
        raise RuntimeError(INVALID_NAME)
    if HEADER_VALUE_RE.search(value):
        raise RuntimeError(INVALID_VALUE)
    name = name.lower()
    _framing(cycle, name, value, has_close)
    _add_object(buffer, name)
    _bytes(buffer, b": ", 2)
    _add_object(buffer, value)
    _bytes(buffer, b"\r\n", 2)
    return 0


cdef bytes _head(cycle, object status_code, list headers):
    """The status line and header block uvicorn writes for http.response.start,
    setting the cycle's framing attributes on the way."""
    cdef Writer buffer
    cdef char small[1024]
    cdef bint has_close = False
    cdef object line = STATUS_LINE[status_code]
    _begin(&buffer, small, sizeof(small))
    try:
        _add_object(&buffer, line)
        for item in headers:
            if type(item) is tuple and PyTuple_GET_SIZE(item) == 2:
                _add_line(&buffer, cycle, <object>PyTuple_GET_ITEM(item, 0),
                          <object>PyTuple_GET_ITEM(item, 1), &has_close)
            elif type(item) is list and PyList_GET_SIZE(item) == 2:
                _add_line(&buffer, cycle, <object>PyList_GET_ITEM(item, 0),
                          <object>PyList_GET_ITEM(item, 1), &has_close)
            else:
                name, value = _unpack(item)
                _add_line(&buffer, cycle, name, value, &has_close)
        if not cycle.keep_alive and not has_close:
            _bytes(&buffer, b"connection: close\r\n", 19)
        if (cycle.chunked_encoding is None and cycle.scope["method"] != "HEAD"
                and status_code not in (204, 304)):
            # Neither content-length nor transfer-encoding specified
            cycle.chunked_encoding = True
            _bytes(&buffer, b"transfer-encoding: chunked\r\n", 28)
        _bytes(&buffer, b"\r\n", 2)
        return PyBytes_FromStringAndSize(buffer.data, buffer.size)
    finally:
        _release(&buffer)


cdef bytes _chunk(object body, bint more_body):
    """One chunk of a chunked body (and the last-chunk marker when it is the end)."""
    cdef char size_line[24]
    cdef Py_ssize_t size = PyBytes_GET_SIZE(body)
    cdef Py_ssize_t digits = 0, total, at
    cdef Py_ssize_t rest = size
    cdef bytes out
    cdef char* data
    if size:
        while True:
            size_line[digits] = b"0123456789abcdef"[rest & 15]
            digits += 1
            rest >>= 4
            if not rest:
                break
    total = (digits + 2 + size + 2 if size else 0) + (0 if more_body else 5)
    out = PyBytes_FromStringAndSize(NULL, total)
    data = PyBytes_AS_STRING(out)
    at = 0
    if size:
        while digits:
            digits -= 1
            data[at] = size_line[digits]
            at += 1
        memcpy(data + at, b"\r\n", 2)
        memcpy(data + at + 2, PyBytes_AS_STRING(body), size)
        memcpy(data + at + 2 + size, b"\r\n", 2)
        at += size + 4
    if not more_body:
        memcpy(data + at, b"0\r\n\r\n", 5)
    return out


cdef inline object _get(message, str key, default):
    """``message.get(key, default)``, without the method call for a plain dict."""
    cdef PyObject* found
    if type(message) is dict:
        found = PyDict_GetItemWithError(message, key)   # (raises when it fails)
        return default if found == NULL else <object>found
    return message.get(key, default)


def _log(cycle, status_code):
    cycle.access_logger.info(
        '%s - "%s %s HTTP/%s" %d',
        _uv.get_client_addr(cycle.scope),
        cycle.scope["method"],
        _uv.get_path_with_query_string(cycle.scope),
        cycle.scope["http_version"],
        status_code,
    )


def _start(self, message):
    """The ``http.response.start`` branch of uvicorn's ``send`` after its type
    check, with the head written by _head."""
    self.response_started = True
    self.waiting_for_100_continue = False

    status_code = message["status"]
    headers = self.default_headers + list(_get(message, "headers", []))

    if self.access_log:
        _log(self, status_code)

    self.transport.write(_head(self, status_code, headers))


def _chunk_bytes(body, more_body):
    return _chunk(body, more_body)


# ``RequestResponseCycle.send`` itself stays interpreted bytecode: a body message
# costs fewer instructions there than compiled (the interpreter's attribute
# reads of the cycle are specialized, a compiled module's are generic lookups;
# and a compiled coroutine costs more to create). The response start is
# handed to _start; a bytes chunk of a chunked body is written by _chunk.
# Everything else is uvicorn's send, line for line.
_SEND = """
async def send(self, message):
    if self.flow.write_paused and not self.disconnected:
        await self.flow.drain()

    if self.disconnected:
        return

    if not self.response_started:
        if message["type"] != "http.response.start":
            raise RuntimeError(f"Expected ASGI message 'http.response.start', but got '{message['type']}'.")
        start(self, message)

    elif not self.response_complete:
        if message["type"] != "http.response.body":
            raise RuntimeError(f"Expected ASGI message 'http.response.body', but got '{message['type']}'.")

        body = message.get("body", b"")
        more_body = message.get("more_body", False)

        if self.scope["method"] == "HEAD":
            self.expected_content_length = 0
        elif self.chunked_encoding:
            if type(body) is bytes:
                self.transport.write(chunk(body, more_body))
            else:
                if body:
                    content = [b"%x\\r\\n" % len(body), body, b"\\r\\n"]
                else:
                    content = []
                if not more_body:
                    content.append(b"0\\r\\n\\r\\n")
                self.transport.write(b"".join(content))
        else:
            num_bytes = len(body)
            if num_bytes > self.expected_content_length:
                raise RuntimeError(TOO_LONG)
            else:
                self.expected_content_length -= num_bytes
            self.transport.write(body)

        if not more_body:
            if self.expected_content_length != 0:
                raise RuntimeError(TOO_SHORT)
            self.response_complete = True
            self.message_event.set()
            if not self.keep_alive:
                self.transport.close()
            self.on_response()

    else:
        raise RuntimeError(f"Unexpected ASGI message '{message['type']}' sent, after response already completed.")
"""
_send_scope = {"__name__": __name__, "start": _start, "chunk": _chunk_bytes,
               "TOO_LONG": TOO_LONG, "TOO_SHORT": TOO_SHORT}
exec(compile(_SEND, "<fastresp._wire send>", "exec"), _send_scope)
send = _send_scope["send"]
send.__doc__ = """``RequestResponseCycle.send``: uvicorn's, with the head written by
_head and bytes chunks by _chunk."""


def on_header(self, name, value):
    """``HttpToolsProtocol.on_header`` (0.55): the lowered name and the value
    without trailing spaces and tabs appended to the request headers."""
    cdef Py_ssize_t size, i, end
    cdef const unsigned char* data
    cdef bytes lowered
    cdef char* out
    if type(name) is not bytes or type(value) is not bytes:
        return _on_header_generic(self, name, value)
    data = <const unsigned char*>PyBytes_AS_STRING(name)
    size = PyBytes_GET_SIZE(name)
    lowered = PyBytes_FromStringAndSize(NULL, size)
    out = PyBytes_AS_STRING(lowered)
    for i in range(size):
        out[i] = <char>LOWER[data[i]]
    data = <const unsigned char*>PyBytes_AS_STRING(value)
    end = PyBytes_GET_SIZE(value)
    if end and (data[end - 1] == b" " or data[end - 1] == b"\t"):
        value = value.rstrip(b" \t")
    if size == 6 and memcmp(out, b"expect", 6) == 0 and value.lower() == b"100-continue":
        self.expect_100_continue = True
    self.headers.append((lowered, value))


def _on_header_generic(self, name, value):
    name = name.lower()
    value = value.rstrip(b" \t")
    if name == b"expect" and value.lower() == b"100-continue":
        self.expect_100_continue = True
    self.headers.append((name, value))


def on_message_begin(self):
    """``HttpToolsProtocol.on_message_begin``: a new request's state and scope."""
    self.url = b""
    self.expect_100_continue = False
    self.headers = []
    self.scope = {
        "type": "http",
        "asgi": {"version": self.asgi_version, "spec_version": "2.3"},
        "http_version": "1.1",
        "server": self.server,
        "client": self.client,
        "scheme": self.scheme,
        "root_path": self.root_path,
        "headers": self.headers,
        "state": self.app_state.copy(),
    }


def on_url(self, url):
    """``HttpToolsProtocol.on_url``."""
    self.url += url


# --------------------------------------------------------------- the cycle

ctypedef object (*NewFunction)(object cls, object args, PyObject* kwargs)   # tp_new

cdef void* _OBJECT_NEW = (<TypeObject*>object).tp_new
cdef object INIT = "__init__"


# What uvicorn's checked RequestResponseCycle.__init__ sets, in its order.
cdef tuple _CYCLE_ATTRIBUTES = (
    "scope", "transport", "flow", "logger", "access_logger", "access_log", "default_headers",
    "message_event", "on_response", "disconnected", "keep_alive", "waiting_for_100_continue",
    "body", "more_body", "response_started", "response_complete", "chunked_encoding",
    "expected_content_length",
)


cdef object _new_cycle(object cls, object init, object scope, object transport, object flow,
                       object logger, object access_logger, object access_log,
                       object default_headers, object message_event, object expect_100_continue,
                       object keep_alive, object on_response):
    """``cls(scope=scope, ...)``: what uvicorn's checked ``RequestResponseCycle.__init__``
    (init) does, the same attributes set in the same order, without the call,
    while cls is an ordinary class still using init; the call otherwise."""
    cdef TypeObject* t = <TypeObject*>cls
    cdef Py_ssize_t i
    if (init is None or t.tp_new is not _OBJECT_NEW or t.tp_setattro is not GENERIC_SETATTR
            or _PyType_Lookup(<PyTypeObject*>cls, INIT) is not <PyObject*>init):
        return cls(scope=scope, transport=transport, flow=flow, logger=logger,
                   access_logger=access_logger, access_log=access_log,
                   default_headers=default_headers, message_event=message_event,
                   expect_100_continue=expect_100_continue, keep_alive=keep_alive,
                   on_response=on_response)
    cycle = (<NewFunction>_OBJECT_NEW)(cls, (), NULL)
    values = (scope, transport, flow, logger, access_logger, access_log, default_headers,
              message_event, on_response, False, keep_alive, expect_100_continue, bytearray(),
              True, False, False, None, 0)
    for i in range(len(_CYCLE_ATTRIBUTES)):
        PyObject_GenericSetAttr(cycle, _CYCLE_ATTRIBUTES[i], values[i])
    return cycle


def headers_complete(cycle_class, cycle_init=None):
    """``HttpToolsProtocol.on_headers_complete`` building cycles of *cycle_class*
    (uvicorn's own ``RequestResponseCycle`` under install(), fastresp's subclass
    in fastresp.uvicorn's protocol); *cycle_init* is uvicorn's checked
    ``RequestResponseCycle.__init__``, None when the installed one is not checked."""

    def on_headers_complete(self):
        parser = self.parser
        http_version = parser.get_http_version()
        method = parser.get_method()
        scope = self.scope
        scope["method"] = method.decode("ascii")
        if http_version != "1.1":
            scope["http_version"] = http_version
        if parser.should_upgrade() and self._should_upgrade():
            return
        parsed_url = parse_url(self.url)
        raw_path = parsed_url.path
        path = raw_path.decode("ascii")
        if "%" in path:
            path = unquote(path)
        root_path = self.root_path
        full_path = root_path + path
        full_raw_path = root_path.encode("ascii") + raw_path
        scope["path"] = full_path
        scope["raw_path"] = full_raw_path
        scope["query_string"] = parsed_url.query or b""

        # Handle 503 responses when 'limit_concurrency' is exceeded.
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            app = service_unavailable
            message = "Exceeded concurrency limit."
            self.logger.warning(message)
        else:
            app = self.app

        existing_cycle = self.cycle
        self.cycle = _new_cycle(
            cycle_class, cycle_init,
            scope,
            self.transport,
            self.flow,
            self.logger,
            self.access_logger,
            self.access_log,
            self.server_state.default_headers,
            Event(),
            self.expect_100_continue,
            http_version != "1.0" and parser.should_keep_alive(),
            self.on_response_complete,
        )
        if existing_cycle is None or existing_cycle.response_complete:
            self._start_asgi_task(self.cycle, app)
        else:
            self.flow.pause_reading()
            self.pipeline.appendleft((self.cycle, app))

    return on_headers_complete
