"""Which uvicorn release is installed, as far as the compiled wire path cares.

fastresp's compiled replacements of uvicorn's httptools protocol methods
(``fastresp/_wire.pyx``) copy the behaviour of one source text of each method.
Rather than trusting a version number, each method's source (``inspect``) is
hashed at import and compared with the hashes of the sources that were read and
reproduced; the module constants those methods use (``HEADER_RE``,
``HEADER_VALUE_RE``) are compared by pattern. Anything else (an unchecked
release, a patched uvicorn, httptools missing) leaves uvicorn untouched.

Each method is replaced where its own source is a checked one, so a release
can be accelerated in part. Checked, by the releases whose sources were hashed
(0.45.0, 0.49.0, 0.50.0, 0.50.2, 0.51.0, 0.52.0, 0.52.4, 0.53.0, 0.54.0,
0.55.0):

* ``RequestResponseCycle.send`` and ``HttpToolsProtocol.on_headers_complete``:
  0.53.0 to 0.55.0 (0.52 and older write the head differently: ``CLOSE_HEADER``,
  a single ``connection: close`` comparison);
* ``HttpToolsProtocol.on_header``: 0.55.0 (it strips trailing whitespace from
  0.55.0 on);
* ``HttpToolsProtocol.on_message_begin``: 0.50.0 to 0.55.0;
* ``HttpToolsProtocol.on_url``: 0.45.0 to 0.55.0;
* ``RequestResponseCycle.__init__`` (read, not replaced: on_headers_complete
  sets what it sets): 0.45.0 to 0.55.0.

The header patterns gate them all: uvicorn before 0.36 had another one, and
0.39's is not the checked one either, so nothing is replaced there.

Importing it imports uvicorn (when installed).
"""

from __future__ import annotations

from types import ModuleType

from ._common import source_hash

#: uvicorn's own error messages, raised by the compiled send().
INVALID_NAME = "Invalid HTTP header name."
INVALID_VALUE = "Invalid HTTP header value."
TOO_LONG = "Response content longer than Content-Length"
TOO_SHORT = "Response content shorter than Content-Length"

#: The header checks of the checked releases, exactly: one character class each,
#: so a byte string matches when one of its bytes does (the compiled tables are
#: built by asking the regex about each byte). uvicorn before 0.36 had another,
#: broken HEADER_RE pattern, which is not checked.
HEADER_PATTERN = b'[\x00-\x1f\x7f()<>@,;:\\[\\]={} \t\\\\"]'
HEADER_VALUE_PATTERN = b"[\x00-\x08\x0a-\x1f\x7f]"

#: sha256 of inspect.getsource() of each replaced method, per checked source.
#: A method is replaced only when its source hashes to a value listed here.
CHECKED_SOURCES: dict[str, frozenset[str]] = {
    "RequestResponseCycle.send": frozenset({
        "abdd8601b326a8da972436918d3a954e1ef39c6bf0cd9e1c1954c2e798d0bb9c",    # 0.53.0-0.55.0
    }),
    "HttpToolsProtocol.on_header": frozenset({
        "1e86ebb6cea0458cb1ae112a1c1ea38913b24b798367e16f2b8fa4eaca5ca5ea",    # 0.55.0
    }),
    "HttpToolsProtocol.on_headers_complete": frozenset({
        "1ea8589acfad92d8ff9182775f337d98fc469e0fa39642a83195fca920f5ca96",    # 0.53.0-0.55.0
    }),
    "HttpToolsProtocol.on_message_begin": frozenset({
        "96d377fdc7c2baef943c2bd245003abc53566ddb35777e0f4c7bc754198b5457",    # 0.50.0-0.55.0
    }),
    "HttpToolsProtocol.on_url": frozenset({
        "37be44e962b04ca87f76428ff8d7a3306ab601ffd5793d185e87c2295f0c6b6e",    # 0.45.0-0.55.0
    }),
}

#: sha256 of RequestResponseCycle.__init__'s source, which the compiled
#: on_headers_complete reproduces (the attributes it sets, in order) instead of
#: calling it; any other source is called.
CHECKED_CYCLE_INIT = frozenset({
    "4d2f220910c33c12f2891cbf2fb89ad364464e1a189e7492e8dc43167563057a",    # 0.45.0-0.55.0
})


def httptools_module() -> ModuleType | None:
    """uvicorn's httptools protocol module, None when uvicorn or httptools is missing."""
    try:
        from uvicorn.protocols.http import httptools_impl
    except ImportError:
        return None
    return httptools_impl


def checked_methods(module: ModuleType) -> frozenset[str]:
    """The names in CHECKED_SOURCES whose installed source is a checked one (none
    when the module's header patterns are not the checked ones)."""
    if (getattr(getattr(module, "HEADER_RE", None), "pattern", None) != HEADER_PATTERN
            or getattr(getattr(module, "HEADER_VALUE_RE", None), "pattern", None) != HEADER_VALUE_PATTERN):
        return frozenset()
    found = set()
    for qualified, hashes in CHECKED_SOURCES.items():
        owner, name = qualified.split(".")
        function = vars(getattr(module, owner, object)).get(name)
        if function is not None and source_hash(function) in hashes:
            found.add(qualified)
    return frozenset(found)


def checked_cycle_init(module: ModuleType) -> object | None:
    """``RequestResponseCycle.__init__`` when its source is the checked one, else None."""
    init = vars(getattr(module, "RequestResponseCycle", object)).get("__init__")
    return init if init is not None and source_hash(init) in CHECKED_CYCLE_INIT else None
