"""fastresp: starlette's responses, with the per-request work compiled.

``from fastresp import Response`` gives a drop-in subclass of
``starlette.responses.Response`` (likewise HTMLResponse, PlainTextResponse,
JSONResponse, RedirectResponse); ``fastresp.install()`` speeds up every starlette
and FastAPI response in the process instead.
"""

from __future__ import annotations

from ._common import SameSiteError
from ._env import NoCompilerWarning
from . import _impl
from ._impl import IMPLEMENTATION, REASON
from ._install import install, installed, uninstall
from .responses import (
    Headers, HTMLResponse, JSONResponse, MutableHeaders, PlainTextResponse, RedirectResponse, Response,
)

#: ``starlette.requests.cookie_parser``, compiled where the implementation is.
cookie_parser = _impl.ACTIVE.request.cookie_parser

__version__ = "0.1.0"

__all__ = [
    "IMPLEMENTATION",
    "Headers",
    "HTMLResponse",
    "JSONResponse",
    "MutableHeaders",
    "NoCompilerWarning",
    "PlainTextResponse",
    "REASON",
    "RedirectResponse",
    "Response",
    "SameSiteError",
    "cookie_parser",
    "install",
    "installed",
    "uninstall",
]
