"""The one table from domain errors to HTTP statuses, and the JSON shape every API error answers with.

Outside ``/api/`` the same errors answer as HTML pages, drawn by the page renderer the app registers
(``app.state.error_page``), so a browser never lands on a JSON body.
"""

from __future__ import annotations

import pydantic
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ictdb.model.errors import (
    Conflict,
    Forbidden,
    IctdbError,
    ImportFailed,
    IntegrityError,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from ictdb.model.stored import first_problem

STATUS: dict[type[IctdbError], int] = {
    ValidationError: 422,
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    ImportFailed: 422,
    Unauthenticated: 401,
    IntegrityError: 500,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
}


def status_of(exc: IctdbError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 500


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _answer(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    page = getattr(request.app.state, "error_page", None)
    if page is not None and not request.url.path.startswith("/api/"):
        response: Response = page(request, status, code, message)
        return response
    return error_response(status, code, message, headers)


def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IctdbError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return _answer(request, status, exc.code, exc.message, headers)


def _pydantic(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, pydantic.ValidationError)
    problem = first_problem(exc)
    return _answer(request, 422, problem.code, problem.message)


def _request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if not errors:
        return _answer(request, 422, "invalid", "invalid request")
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return _answer(request, 422, "invalid", f"{where}: {message}" if where else message)


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return _answer(request, exc.status_code, code, str(exc.detail), dict(exc.headers or {}))


def install(app: FastAPI) -> None:
    app.add_exception_handler(IctdbError, _domain)
    app.add_exception_handler(pydantic.ValidationError, _pydantic)
    app.add_exception_handler(RequestValidationError, _request)
    app.add_exception_handler(StarletteHTTPException, _http)
