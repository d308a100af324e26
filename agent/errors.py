"""The errors puffle-agent raises, in two trees.

    PuffleAgentError
    ├── UsageError                  the agent was called wrong: bad goal, bad settings, bad answer
    │   ├── ConfigurationError      settings missing or contradictory (e.g. no API key for a URL)
    │   └── RefusedRequestError     a request the rules forbid, stopped before a byte was sent
    │       ├── ForbiddenPathError      admin, webhook receiver or OAuth path
    │       └── UndeclaredOperationError  not in the operation catalog
    └── RunError                    the run failed while talking to Puffle
        ├── TransportError          no HTTP answer at all (connection refused, timeout)
        ├── ResponseShapeError      a success answer that does not match the documented model
        └── PuffleAPIError          Puffle answered with an error status
            ├── BadRequestError         400  fix the payload, never resend the same body
            ├── AuthenticationError     401  stop, ask for a key
            ├── InsufficientCreditsError 402 stop, report the shortfall
            ├── PermissionDeniedError   403  stop, feature not available
            ├── NotFoundError           404  do not retry
            ├── ConflictError           409  fetch the existing resource and go on
            ├── UnprocessableError      422  reread the contract
            ├── RateLimitedError        429  still limited after honouring Retry-After
            └── ServerError             5xx  still failing after the one retry

Every `PuffleAPIError` carries the status, Puffle's error code and message, the correlation id
(from the `x-correlation-id` header, or the body) and the parsed `Retry-After` in seconds.
The API key never reaches any of these messages: requests are described by method and path only.
"""

from __future__ import annotations


class PuffleAgentError(Exception):
    """Root of everything puffle-agent raises on purpose."""


class UsageError(PuffleAgentError):
    """The agent was asked to do something wrong; retrying the same thing will not help."""


class ConfigurationError(UsageError):
    """Settings are missing or contradict each other."""


class RefusedRequestError(UsageError):
    """A request the agent's rules forbid; it was refused before anything was sent."""

    def __init__(self, method: str, path: str, reason: str) -> None:
        super().__init__(f"refused {method} {path}: {reason}")
        self.method = method
        self.path = path
        self.reason = reason


class ForbiddenPathError(RefusedRequestError):
    """Admin tools, inbound webhook receivers and OAuth flows are never called."""


class UndeclaredOperationError(RefusedRequestError):
    """Only operations declared in the catalog are called; the agent never guesses an endpoint."""


class RunError(PuffleAgentError):
    """The run failed while talking to Puffle."""


class TransportError(RunError):
    """Puffle could not be reached at all."""


class ResponseShapeError(RunError):
    """Puffle answered 2xx with a body the documented model does not accept."""

    def __init__(self, operation: str, correlation_id: str | None, detail: str) -> None:
        suffix = f" (correlation id {correlation_id})" if correlation_id else ""
        super().__init__(f"{operation}: unexpected response shape: {detail}{suffix}")
        self.operation = operation
        self.correlation_id = correlation_id


class PuffleAPIError(RunError):
    """Puffle answered with an error status."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        operation: str,
        correlation_id: str | None,
        retry_after: float | None = None,
        body: object = None,
    ) -> None:
        suffix = f" (correlation id {correlation_id})" if correlation_id else ""
        super().__init__(f"{operation}: HTTP {status} {code}: {message}{suffix}")
        self.status = status
        self.code = code
        self.message = message
        self.operation = operation
        self.correlation_id = correlation_id
        self.retry_after = retry_after
        self.body = body


class BadRequestError(PuffleAPIError):
    """400: the payload is wrong; the same body must not be sent again."""


class AuthenticationError(PuffleAPIError):
    """401: the key is missing, malformed or revoked."""


class InsufficientCreditsError(PuffleAPIError):
    """402: the workspace ran out of credits."""


class PermissionDeniedError(PuffleAPIError):
    """403: the feature is not available to this workspace."""


class NotFoundError(PuffleAPIError):
    """404: the resource does not exist or belongs to someone else."""


class ConflictError(PuffleAPIError):
    """409: it exists already, or a concurrent change won; fetch the existing one."""


class UnprocessableError(PuffleAPIError):
    """422: well-formed but semantically invalid."""


class RateLimitedError(PuffleAPIError):
    """429 that persisted after honouring `Retry-After`."""


class ServerError(PuffleAPIError):
    """5xx that persisted after the one retry the rules allow."""


ERRORS_BY_STATUS: dict[int, type[PuffleAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitedError,
}


def error_class_for(status: int) -> type[PuffleAPIError]:
    if status >= 500:
        return ServerError
    return ERRORS_BY_STATUS.get(status, PuffleAPIError)
