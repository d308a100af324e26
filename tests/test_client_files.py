"""The client's file uploads: multipart on the wire, the same guard, retries and log line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from agent import operations as ops
from agent.client import PuffleClient
from agent.clock import FakeClock
from agent.errors import BadRequestError
from agent.logging import configure_logging
from agent.ratelimit import SlidingWindowLimiter
from agent.schemas import ConfirmListImportRequest

KEY = SecretStr("pk_test_upload-tests-key-0000")
CSV_BYTES = "first_name,email\r\nJörg,jm@acme.example\r\n".encode()
# Answers both previews: the existing-list one (snake_case) and the new-list one (camelCase).
PREVIEW = {"columns": ["first_name", "email"], "total_rows": 1, "csv_text": "", "totalRows": 1}
PREVIEW["csvText"] = ""
FILES = {"file": ("leads.csv", CSV_BYTES, "text/csv")}


def _client(
    answer: Callable[[httpx.Request], httpx.Response],
    sent: list[httpx.Request],
    *,
    log_bodies: bool = False,
) -> PuffleClient:
    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return answer(request)

    clock = FakeClock()
    return PuffleClient(
        "http://puffle.test",
        KEY,
        transport=httpx.MockTransport(record),
        clock=clock,
        limiter=SlidingWindowLimiter(clock),
        log_bodies=log_bodies,
    )


def _ok(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=PREVIEW)


async def test_files_go_as_multipart_with_the_key_and_no_json() -> None:
    """The file arrives as a multipart `file` field with its name, type and exact bytes."""
    sent: list[httpx.Request] = []
    async with _client(_ok, sent) as client:
        result = await client.call(
            ops.PREVIEW_LIST_IMPORT, path_params={"list_id": "list-1"}, files=FILES
        )

    [request] = sent
    assert result.data.total_rows == 1
    assert (request.method, request.url.path) == ("POST", "/api/lists/list-1/import")
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.headers["authorization"] == f"Bearer {KEY.get_secret_value()}"
    body = request.content
    assert b'name="file"; filename="leads.csv"' in body
    assert b"Content-Type: text/csv" in body
    assert CSV_BYTES in body


async def test_a_500_is_retried_once_with_the_same_file() -> None:
    """The error table holds for uploads: one retry after 5 s, carrying the same bytes."""
    failure = httpx.Response(500, json={"error": {"code": "boom"}})
    answers = iter([failure, httpx.Response(200, json=PREVIEW)])
    sent: list[httpx.Request] = []
    async with _client(lambda _request: next(answers), sent) as client:
        await client.call(ops.PREVIEW_NEW_LIST_IMPORT, files=FILES)

    assert len(sent) == 2
    assert all(CSV_BYTES in request.content for request in sent)
    assert isinstance(client.clock, FakeClock)
    assert client.clock.sleeps == [5.0]


async def test_a_400_on_upload_is_not_resent() -> None:
    """A refused upload raises at once; the same body is never sent twice."""
    sent: list[httpx.Request] = []

    def refuse(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": {"code": "invalid_request", "message": "big"}})

    async with _client(refuse, sent) as client:
        with pytest.raises(BadRequestError, match="big"):
            await client.call(ops.PREVIEW_NEW_LIST_IMPORT, files=FILES)
    assert len(sent) == 1


@pytest.mark.parametrize(
    "operation",
    [ops.CONFIRM_LIST_IMPORT, ops.LIST_LISTS, ops.START_SALES_NAV_IMPORT],
    ids=lambda operation: operation.name,
)
async def test_operations_that_take_no_file_refuse_one_unsent(
    operation: ops.Operation[Any, Any],
) -> None:
    """Only operations that declare a file upload accept `files`; nothing is sent otherwise."""
    sent: list[httpx.Request] = []
    async with _client(_ok, sent) as client:
        with pytest.raises(ValueError, match="does not take a file upload"):
            await client.call(operation, path_params={"list_id": "list-1"}, files=FILES)
    assert sent == []


async def test_a_file_and_a_json_body_together_are_refused() -> None:
    """An upload carries its file alone; a JSON body beside it is a programming error."""
    sent: list[httpx.Request] = []
    body = ConfirmListImportRequest(csv_text="x", mapping={})
    # Typed callers cannot even spell this; the check is for untyped ones.
    operation: ops.Operation[Any, Any] = ops.PREVIEW_NEW_LIST_IMPORT
    async with _client(_ok, sent) as client:
        with pytest.raises(ValueError, match="not both"):
            await client.call(operation, body=body, files=FILES)
    assert sent == []


async def test_one_log_line_per_upload_names_the_file_but_never_its_content() -> None:
    """With bodies logged, an upload shows its name and size; the rows stay out of the logs."""
    logs = io.StringIO()
    configure_logging("INFO", stream=logs)
    sent: list[httpx.Request] = []
    async with _client(_ok, sent, log_bodies=True) as client:
        await client.call(ops.PREVIEW_NEW_LIST_IMPORT, files=FILES)

    [line] = [json.loads(text) for text in logs.getvalue().splitlines()]
    assert (line["event"], line["operation"]) == ("puffle.request", "preview_new_list_import")
    assert line["request_body"] == {
        "file": {"filename": "leads.csv", "bytes": len(CSV_BYTES), "content_type": "text/csv"}
    }
    assert "jm@acme.example" not in logs.getvalue()
