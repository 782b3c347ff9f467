"""fastresp's response classes: starlette's, with the hot path swapped in.

Each class subclasses the starlette class of the same name, so FastAPI and every
``isinstance`` check treat it as starlette's own; they are the classes of the
implementation chosen at import (``_impl.ACTIVE.classes``, made by
``_classes.make_classes``, which says what comes from fastresp).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import starlette.responses as _starlette

from ._classes import hot_methods, make_classes  # noqa: F401  (for the tests and benchmarks)
from ._impl import ACTIVE as _ACTIVE

if TYPE_CHECKING:
    # starlette.responses imports MutableHeaders without re-exporting it: the
    # base comes from where starlette defines it (else it is Any to mypy --strict).
    from starlette.datastructures import Headers as _Headers
    from starlette.datastructures import MutableHeaders as _MutableHeaders

    class Headers(_Headers): ...
    class MutableHeaders(_MutableHeaders): ...

    class Response(_starlette.Response):
        @property
        def headers(self) -> MutableHeaders: ...

    class HTMLResponse(_starlette.HTMLResponse, Response): ...
    class PlainTextResponse(_starlette.PlainTextResponse, Response): ...
    class JSONResponse(_starlette.JSONResponse, Response): ...
    class RedirectResponse(_starlette.RedirectResponse, Response): ...
else:
    Response = _ACTIVE.classes.Response
    HTMLResponse = _ACTIVE.classes.HTMLResponse
    PlainTextResponse = _ACTIVE.classes.PlainTextResponse
    JSONResponse = _ACTIVE.classes.JSONResponse
    RedirectResponse = _ACTIVE.classes.RedirectResponse
    MutableHeaders = _ACTIVE.classes.MutableHeaders
    Headers = _ACTIVE.classes.Headers

__all__ = ["Headers", "MutableHeaders", "Response", "HTMLResponse", "PlainTextResponse",
           "JSONResponse", "RedirectResponse"]
