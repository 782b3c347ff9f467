"""fastresp: starlette's responses, with the per-request work compiled.

``from fastresp import Response`` gives a drop-in subclass of
``starlette.responses.Response`` (likewise HTMLResponse, PlainTextResponse,
JSONResponse, RedirectResponse); ``fastresp.install()`` speeds up every starlette
and FastAPI response in the process instead.
"""

from __future__ import annotations

from ._common import SameSiteError
from ._env import NoCompilerWarning
from ._impl import IMPLEMENTATION, REASON
from ._install import install, installed, uninstall
from .responses import (
    HTMLResponse, JSONResponse, MutableHeaders, PlainTextResponse, RedirectResponse, Response,
)

__version__ = "0.1.0"

__all__ = [
    "IMPLEMENTATION",
    "HTMLResponse",
    "JSONResponse",
    "MutableHeaders",
    "NoCompilerWarning",
    "PlainTextResponse",
    "REASON",
    "RedirectResponse",
    "Response",
    "SameSiteError",
    "install",
    "installed",
    "uninstall",
]
