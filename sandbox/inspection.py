"""A loopback-only window into a served sandbox, for tests that run the agent in other processes.

`GET /_sandbox/stats` answers, per workspace, how many requests arrived and when the first and
last of them did (sandbox clock), the most that arrived in any 60 s of sandbox time, how many
were refused with 429, and the campaigns that exist. `GET /_sandbox/requests` answers the request
log itself: method, route, status, workspace and arrival time of each request, oldest first. It sits
in front of the Puffle app rather than inside it: it is no part of the Puffle contract, needs no
key, the agent's operation catalog never declares it, and it answers only loopback clients.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox._app import Sandbox

INSPECTION_PREFIX = "/_sandbox/"
_LOOPBACK = {"127.0.0.1", "::1"}


def sandbox_stats(sandbox: Sandbox) -> dict[str, Any]:
    workspaces: dict[str, Any] = {}
    for workspace in sandbox.workspaces:
        requests = sandbox.requests(workspace)
        workspaces[workspace] = {
            "requests": len(requests),
            "first_request_at": min((r.at for r in requests), default=None),
            "last_request_at": max((r.at for r in requests), default=None),
            "max_requests_in_any_minute": sandbox.max_requests_in_any_minute(workspace),
            "rate_limited": sum(1 for request in requests if request.status == 429),
            "campaigns": sandbox.campaigns(workspace),
        }
    return {"clock": sandbox.clock.time(), "workspaces": workspaces}


def request_log(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [
        {
            "method": request.method,
            "route": request.route,
            "status": request.status,
            "workspace": request.workspace,
            "at": request.at,
        }
        for request in sandbox.requests()
    ]


def with_inspection(sandbox: Sandbox) -> ASGIApp:
    """The sandbox's app, with `/_sandbox/stats` answered in front of it for loopback clients."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(INSPECTION_PREFIX):
            client = scope.get("client")
            if client is None or client[0] not in _LOOPBACK:
                response = JSONResponse({"error": "inspection is loopback-only"}, status_code=403)
            elif scope["path"] == INSPECTION_PREFIX + "stats" and scope["method"] == "GET":
                response = JSONResponse(sandbox_stats(sandbox))
            elif scope["path"] == INSPECTION_PREFIX + "requests" and scope["method"] == "GET":
                response = JSONResponse(request_log(sandbox))
            else:
                response = JSONResponse({"error": "no such inspection endpoint"}, status_code=404)
            await response(scope, receive, send)
            return
        await sandbox.app(scope, receive, send)

    return app
