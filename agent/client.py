"""The Puffle HTTP client: guarded, rate-limited, and the one place the error table lives.

Every request is checked against the operation catalog and the forbidden prefixes before it is
sent. Failures follow the agent guide's table:

    400 no resend · 401 stop · 402 stop · 403 stop · 404 no retry · 409 hand back to the caller
    (who fetches the existing resource) · 422 no retry · 429 wait `Retry-After`, else 30 s, then
    try again · 5xx retry once after 5 s, then fail with the correlation id

Each request is logged once, with its operation, status, duration and correlation id; bodies only
when `log_bodies` is set (an uploaded file by name and size, never its content). The API key is
only ever in the `Authorization` header.

A body is JSON, except for the operations that declare `accepts_file`: they take `files`, sent as
`multipart/form-data` (`files={"file": (name, content, "text/csv")}`).
"""

from __future__ import annotations

import email.utils
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypedDict
from urllib.parse import quote

import httpx
import structlog
from pydantic import BaseModel, SecretStr, ValidationError

from agent.clock import Clock, SystemClock
from agent.errors import (
    ForbiddenPathError,
    PuffleAPIError,
    RateLimitedError,
    ResponseShapeError,
    ServerError,
    TransportError,
    UndeclaredOperationError,
    error_class_for,
)
from agent.operations import (
    Operation,
    RequestT,
    ResponseT,
    find_operation,
    forbidden_reason,
)
from agent.ratelimit import RateLimiter, shared_limiter
from agent.schemas import NoBody

log = structlog.get_logger("puffle_agent.http")

CORRELATION_HEADER = "x-correlation-id"
SERVER_ERROR_RETRY_DELAY = 5.0
DEFAULT_RATE_LIMIT_WAIT = 30.0
# A 429 that persists through this many waits is reported rather than waited on forever, and so
# is one that asks for a longer wait than a person would sit through without being told.
MAX_RATE_LIMIT_WAITS = 3
MAX_RATE_LIMIT_WAIT_SECONDS = 120.0


class CallRecord(TypedDict):
    """One request as the run's call log keeps it: plain data, safe for state and reports."""

    id: str
    operation: str
    method: str
    path: str
    status: int | None
    correlation_id: str | None
    duration_ms: float
    attempt: int


# A multipart form: field name → (file name, content, content type).
UploadFiles = Mapping[str, tuple[str, bytes, str]]


@dataclass(frozen=True)
class ApiResult(Generic[ResponseT]):
    data: ResponseT
    status: int
    correlation_id: str | None
    location: str | None = None


class PuffleClient:
    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = 30.0,
        log_bodies: bool = False,
    ) -> None:
        self.clock = clock or SystemClock()
        self.limiter = limiter or shared_limiter(api_key.get_secret_value(), self.clock)
        self.log_bodies = log_bodies
        self.calls: list[CallRecord] = []
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key.get_secret_value()}"},
            follow_redirects=False,
        )

    async def __aenter__(self) -> PuffleClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def take_calls(self) -> list[CallRecord]:
        """The calls made since the last take, for the run's call log."""
        taken, self.calls = self.calls, []
        return taken

    async def call(
        self,
        operation: Operation[RequestT, ResponseT],
        *,
        path_params: Mapping[str, str] | None = None,
        query: Mapping[str, str | int] | None = None,
        body: RequestT | None = None,
        files: UploadFiles | None = None,
    ) -> ApiResult[ResponseT]:
        """Send a declared operation and return its validated response.

        `files` sends a multipart form instead of a JSON body, for operations that take a file.
        """
        path = render_path(operation.path, path_params or {})
        payload = None
        if body is not None and not isinstance(body, NoBody):
            payload = body.model_dump(mode="json", exclude_none=True)
        if files is not None and not operation.accepts_file:
            raise ValueError(f"{operation.name} does not take a file upload")
        if files is not None and payload is not None:
            raise ValueError(f"{operation.name}: send a file or a JSON body, not both")

        response = await self._send(operation.name, operation.method, path, query, payload, files)
        return _result(operation, response)

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | int] | None = None,
        json_body: Any = None,
    ) -> ApiResult[BaseModel]:
        """Send a request named by method and path; it must still be a declared operation."""
        operation = self._guard(method, path)
        response = await self._send(operation.name, operation.method, path, query, json_body)
        return _result(operation, response)

    def _guard(self, method: str, path: str) -> Operation[Any, Any]:
        if reason := forbidden_reason(path):
            raise ForbiddenPathError(method.upper(), path, reason)
        operation = find_operation(method, path)
        if operation is None:
            raise UndeclaredOperationError(
                method.upper(), path, "not a documented operation the agent declares"
            )
        return operation

    async def _send(
        self,
        operation_name: str,
        method: str,
        path: str,
        query: Mapping[str, str | int] | None,
        payload: Any,
        files: UploadFiles | None = None,
    ) -> httpx.Response:
        # Checked again on the rendered path: a path parameter must not reach another route.
        self._guard(method, path)

        rate_limit_waits = 0
        retried_server_error = False
        attempt = 0
        while True:
            attempt += 1
            await self.limiter.acquire()
            response = await self._send_once(
                operation_name, method, path, query, payload, files, attempt
            )
            if response.is_success:
                return response

            error = _api_error(operation_name, response, self.clock)
            if response.status_code == 429:
                wait = (
                    error.retry_after if error.retry_after is not None else DEFAULT_RATE_LIMIT_WAIT
                )
                self.limiter.hold(wait)
                if rate_limit_waits < MAX_RATE_LIMIT_WAITS and wait <= MAX_RATE_LIMIT_WAIT_SECONDS:
                    rate_limit_waits += 1
                    await self.clock.sleep(wait)
                    continue
            if isinstance(error, ServerError) and not retried_server_error:
                retried_server_error = True
                await self.clock.sleep(SERVER_ERROR_RETRY_DELAY)
                continue
            raise error

    async def _send_once(
        self,
        operation_name: str,
        method: str,
        path: str,
        query: Mapping[str, str | int] | None,
        payload: Any,
        files: UploadFiles | None,
        attempt: int,
    ) -> httpx.Response:
        started = time.perf_counter()
        record = CallRecord(
            id=uuid.uuid4().hex,
            operation=operation_name,
            method=method,
            path=path,
            status=None,
            correlation_id=None,
            duration_ms=0.0,
            attempt=attempt,
        )
        try:
            response = await self._http.request(
                method,
                path,
                params=dict(query) if query else None,
                json=payload,
                files=dict(files) if files is not None else None,
            )
        except httpx.HTTPError as exc:
            record["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
            self.calls.append(record)
            log.warning(
                "puffle.request",
                operation=operation_name,
                method=method,
                path=path,
                error=type(exc).__name__,
                attempt=attempt,
            )
            problem = (
                "did not answer in time"
                if isinstance(exc, httpx.TimeoutException)
                else "could not be reached"
            )
            raise TransportError(
                f"{operation_name}: Puffle at {self._http.base_url} {problem} "
                f"({type(exc).__name__}); check PUFFLE_BASE_URL and the network"
            ) from None

        record["status"] = response.status_code
        record["correlation_id"] = _correlation_id(response)
        record["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
        self.calls.append(record)

        extra: dict[str, Any] = {}
        if self.log_bodies:
            sent = payload if files is None else _describe_files(files)
            extra = {"request_body": sent, "response_body": response.text[:2000]}
        log.info(
            "puffle.request",
            operation=operation_name,
            method=method,
            path=path,
            status=response.status_code,
            duration_ms=record["duration_ms"],
            correlation_id=record["correlation_id"],
            attempt=attempt,
            **extra,
        )
        return response


def _result(operation: Operation[Any, ResponseT], response: httpx.Response) -> ApiResult[ResponseT]:
    """The validated body of a success answer; a shape the model rejects is a run error."""
    try:
        data = operation.response_model.model_validate(_json_or_empty(response))
    except ValidationError as exc:
        raise ResponseShapeError(
            operation.name, _correlation_id(response), _first_error(exc)
        ) from None
    return ApiResult(
        data=data,
        status=response.status_code,
        correlation_id=_correlation_id(response),
        location=response.headers.get("location"),
    )


def _describe_files(files: UploadFiles) -> dict[str, Any]:
    """An upload as the logs show it: names and sizes, never the content (it is people's data)."""
    return {
        field: {"filename": name, "bytes": len(content), "content_type": content_type}
        for field, (name, content, content_type) in files.items()
    }


def render_path(template: str, params: Mapping[str, str]) -> str:
    """Fill a path template, encoding each value so it stays inside its own segment."""
    path = template
    for name, value in params.items():
        if value in {"", ".", ".."}:
            raise ValueError(f"path parameter {name} has no usable value: {value!r}")
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    if "{" in path:
        raise ValueError(f"path parameters missing for {template}")
    return path


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait, from a `Retry-After` of delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def _api_error(operation: str, response: httpx.Response, clock: Clock) -> PuffleAPIError:
    body = _json_or_empty(response)
    envelope = body.get("error") if isinstance(body, dict) else None
    code, message = "unknown", response.reason_phrase or "error"
    if isinstance(envelope, dict):
        code = str(envelope.get("code", code))
        message = str(envelope.get("message", message))
    elif isinstance(envelope, str):
        message = envelope
    error_class = error_class_for(response.status_code)
    return error_class(
        status=response.status_code,
        code=code,
        message=message,
        operation=operation,
        correlation_id=_correlation_id(response),
        retry_after=parse_retry_after(response.headers.get("retry-after"), clock.time()),
        body=body,
    )


def _correlation_id(response: httpx.Response) -> str | None:
    if header := response.headers.get(CORRELATION_HEADER):
        return header
    body = _json_or_empty(response)
    if isinstance(body, dict):
        for holder in (body, body.get("error")):
            if isinstance(holder, dict) and isinstance(holder.get("correlationId"), str):
                return holder["correlationId"]
    return None


def _json_or_empty(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{location}: {first['msg']}"


__all__ = [
    "ApiResult",
    "CallRecord",
    "PuffleClient",
    "RateLimitedError",
    "UploadFiles",
    "parse_retry_after",
    "render_path",
]
