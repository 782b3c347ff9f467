"""A quick check of an installed fastresp wheel: it loads the compiled modules and
writes what starlette writes. Run from outside the source tree (scripts/wheels.sh,
and cibuildwheel's test-command in pyproject.toml) by the interpreter the wheel
was installed into.

    python scripts/smoke.py            the compiled modules must load
    python scripts/smoke.py --any      either implementation (a pure-Python wheel)
"""

import sys

import starlette.responses as sr

import fastresp


def main() -> None:
    if "--any" not in sys.argv[1:] and fastresp.IMPLEMENTATION != "cython":
        sys.exit(f"fastresp runs {fastresp.IMPLEMENTATION}, not cython: {fastresp.REASON}")

    response = fastresp.Response(b"hello", headers={"X-A": "1"}, media_type="text/plain")
    expected = sr.Response(b"hello", headers={"X-A": "1"}, media_type="text/plain")
    assert (response.body, response.raw_headers) == (expected.body, expected.raw_headers)
    response.set_cookie("session", "a b", max_age=60, httponly=True, samesite="strict")
    expected.set_cookie("session", "a b", max_age=60, httponly=True, samesite="strict")
    assert response.raw_headers == expected.raw_headers, response.raw_headers

    fastresp.install()
    try:
        assert fastresp.installed()
        installed = sr.JSONResponse({"a": 1})
        installed.delete_cookie("session")
        assert installed.body == b'{"a":1}'
        assert installed.raw_headers[-1][1].startswith(b'session=""; expires='), installed.raw_headers
    finally:
        fastresp.uninstall()
    assert not fastresp.installed()
    plain = sr.Response(b"x")
    assert plain.raw_headers == [(b"content-length", b"1")]
    print(f"fastresp {fastresp.__version__} {fastresp.IMPLEMENTATION} on "
          f"{sys.implementation.name} {sys.version.split()[0]}, starlette "
          f"{__import__('starlette').__version__}: smoke test passed")


if __name__ == "__main__":
    main()
