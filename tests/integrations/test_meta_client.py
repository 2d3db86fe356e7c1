"""The Meta Graph API client against a real HTTP server on 127.0.0.1 that replays Meta-shaped responses.

Nothing in the client is mocked: requests go over a socket to `MetaStub`, which records what arrived.
Error bodies and usage headers follow the shapes Meta documents (Graph API "Handling Errors" and
"Rate Limiting"); the values are made up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from orderguard.integrations.meta import (
    ORDER_FIELDS,
    CancelResult,
    MetaAuthError,
    MetaError,
    MetaGraphClient,
    MetaInvalidRequestError,
    MetaOrder,
    MetaPermissionError,
    MetaThrottledError,
    MetaTransientError,
)
from tests.integrations.meta_stub import MetaStub, buc_entry, buc_header, graph_error

TOKEN = "EAAGm0PX4ZCpsBAtestUserToken123"
SECRET = "0123456789abcdef0123456789abcdef"
APP_ID = "1122334455667788"
CMS_ID = "1300000000000001"
OAUTH_HEADER = {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Error validating access token"'}


def proof(token: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stub():
    server = MetaStub().start()
    yield server
    server.stop()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(stub, clock, sleeps):
    clients = []

    def make(**overrides) -> MetaGraphClient:
        options = {
            "access_token": TOKEN,
            "app_secret": SECRET,
            "app_id": APP_ID,
            "base_url": stub.base_url,
            "sleep": sleeps.append,
            "clock": clock,
            "timeout": (2, 5),
        }
        options.update(overrides)
        client = MetaGraphClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def usd(amount: str) -> dict:
    return {"amount": amount, "currency": "USD"}


def order_payload(order_id: str = "10163483459032731", **overrides) -> dict:
    """An order as /commerce_orders returns it with ORDER_FIELDS (doc field shapes, made-up values)."""
    order = {
        "id": order_id,
        "order_status": {"state": "CREATED"},
        "created": "2026-11-27T10:00:00+0000",
        "last_updated": "2026-11-27T10:31:12+0000",
        "channel": "instagram",
        "ship_by_date": "2026-11-30",
        "is_test_order": False,
        "buyer_details": {
            "name": "Jane Doe",
            "email": "3w5kqg7j8o@marketplace.facebook.com",
            "email_remarketing_option": False,
        },
        "shipping_address": {
            "name": "Jane Doe",
            "street1": "1 Main St",
            "street2": "Apt 2",
            "city": "Menlo Park",
            "state": "CA",
            "postal_code": "94025",
            "country": "US",
        },
        "estimated_payment_details": {
            "subtotal": {"items": usd("28.00"), "shipping": usd("1.00")},
            "tax": usd("2.18"),
            "total_amount": usd("31.18"),
        },
        "items": {
            "data": [
                {
                    "id": "2966019003621211",
                    "retailer_id": "SKU-RED-M",
                    "product_id": "4208907702524510",
                    "product_name": "Red shirt (M)",
                    "quantity": 2,
                    "price_per_unit": usd("9.50"),
                    "status": {"in_progress": 2, "fulfilled": 0, "cancelled": 0},
                },
                {
                    "id": "2966019003621212",
                    "retailer_id": "SKU-MUG",
                    "product_id": "4208907702524511",
                    "product_name": "Mug",
                    "quantity": 1,
                    "price_per_unit": usd("9"),
                    "status": {"in_progress": 1, "fulfilled": 0, "cancelled": 0},
                },
            ]
        },
    }
    order.update(overrides)
    return order


# Authentication on the wire
# ------------------------------------------------------------------------------------------------------


def test_every_request_carries_the_token_and_a_correct_appsecret_proof(stub, make_client):
    stub.reply("GET", "me", json={"id": "42", "name": "Jane"})
    stub.reply("POST", "55/acknowledge_order", json={"id": "55", "state": "IN_PROGRESS"})
    stub.reply("DELETE", f"{CMS_ID}/order_management_apps", json={"success": True})
    stub.reply("GET", f"{CMS_ID}/order_management_apps", json={
        "data": [{"id": "1", "name": "Shopify"}],
        "paging": {"next": stub.url(f"{CMS_ID}/order_management_apps", access_token="SOMETHING-ELSE", after="c1")},
    })
    stub.reply(
        "GET", f"{CMS_ID}/order_management_apps", when={"after": "c1"}, json={"data": [{"id": "2", "name": "Other"}]}
    )
    client = make_client()

    client.get("me")
    client.post("55/acknowledge_order", {"idempotency_key": "k-1"})
    client.delete(f"{CMS_ID}/order_management_apps")
    assert [app.id for app in client.order_management_apps(CMS_ID)] == ["1", "2"]

    assert len(stub.requests) == 5 and not stub.unexpected
    for request in stub.requests:
        assert request.params["access_token"] == TOKEN, request
        assert request.params["appsecret_proof"] == proof(TOKEN), request
    # On a POST both travel in the form body, not in the URL.
    post = stub.requests[1]
    assert "access_token" in post.form and "access_token" not in post.query


def test_url_is_base_version_and_path(stub, make_client):
    stub.reply("GET", "/v24.0/123/setup_status", json={"data": [{"shop_setup": "SETUP", "payment_setup": "SETUP"}]})
    client = make_client(api_version="v24.0", base_url=stub.base_url + "/")

    assert client.setup_status("123").shop_setup == "SETUP"
    assert stub.requests[0].path == "/v24.0/123/setup_status"


def test_every_call_is_made_with_the_timeout(stub, make_client):
    seen = []

    class RecordingSession(requests.Session):
        def request(self, method, url, **kwargs):
            seen.append((method, kwargs.get("timeout")))
            return super().request(method, url, **kwargs)

    stub.reply("GET", "me", json={}, repeat=True)
    stub.reply("POST", "me/feed", json={})
    stub.reply("DELETE", "me/feed", json={})
    client = make_client(session=RecordingSession(), timeout=(1.5, 7))
    client.get("me")
    client.post("me/feed", {"a": 1})
    client.delete("me/feed")

    assert seen == [("GET", (1.5, 7)), ("POST", (1.5, 7)), ("DELETE", (1.5, 7))]


def test_the_app_secret_is_required():
    with pytest.raises(ValueError):
        MetaGraphClient(access_token=TOKEN, app_secret="")


# Errors from recorded-shape responses
# ------------------------------------------------------------------------------------------------------

EXPIRED = (
    "Error validating access token: Session has expired on Wednesday, 25-Nov-26 10:00:00 PST. "
    "The current time is Friday, 27-Nov-26 02:13:51 PST."
)
PASSWORD_CHANGED = (
    "Error validating access token: The session has been invalidated because the user changed their password "
    "or Facebook has changed the session for security reasons."
)
PAGE_LIMIT = (
    "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, "
    "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
)
UNSUPPORTED_GET = (
    f"Unsupported get request. Object with ID '{CMS_ID}' does not exist, cannot be loaded due to missing "
    "permissions, or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)
UNEXPECTED = "An unexpected error has occurred. Please retry your request later."
HTML_500 = "<html><head><title>Error</title></head><body>Sorry, something went wrong.</body></html>"


def case(case_id, status, body, error_class, code=None, subcode=None, headers=None):
    return pytest.param(status, body, headers or {}, error_class, code, subcode, id=case_id)


ERROR_CASES = [
    # Token dead: reconnect.
    case("190-463-expired", 400, graph_error(190, EXPIRED, subcode=463), MetaAuthError, 190, 463, OAUTH_HEADER),
    case("190-460-password", 400, graph_error(190, PASSWORD_CHANGED, subcode=460), MetaAuthError, 190, 460),
    case("190-467-invalid", 400, graph_error(190, "Invalid OAuth access token.", subcode=467), MetaAuthError, 190, 467),
    case(
        "190-no-subcode", 400, graph_error(190, "Invalid OAuth access token - Cannot parse access token"),
        MetaAuthError, 190, None, OAUTH_HEADER,
    ),
    case("102", 400, graph_error(102, "Session key invalid or no longer valid"), MetaAuthError, 102),
    case(
        "oauth-without-code", 400,
        graph_error(None, f"Error validating access token: The user has not authorized application {APP_ID}."),
        MetaAuthError,
    ),
    # Permission missing: re-request it.
    case(
        "10", 403, graph_error(10, "(#10) Application does not have permission for this action"),
        MetaPermissionError, 10,
    ),
    case(
        "200", 403, graph_error(200, "(#200) Requires commerce_account_manage_orders permission to manage the object"),
        MetaPermissionError, 200,
    ),
    case(
        "3", 403, graph_error(3, "(#3) Application does not have the capability to make this API call."),
        MetaPermissionError, 3,
    ),
    # Throttled: wait (Meta marks several of these is_transient too).
    case("4", 403, graph_error(4, "(#4) Application request limit reached", is_transient=True), MetaThrottledError, 4),
    case(
        "17", 400, graph_error(17, "(#17) User request limit reached", subcode=2446079, is_transient=True),
        MetaThrottledError, 17, 2446079,
    ),
    case("32", 400, graph_error(32, "(#32) Page request limit reached", is_transient=True), MetaThrottledError, 32),
    case(
        "613", 400, graph_error(613, "(#613) Calls to this api have exceeded the rate limit.", is_transient=True),
        MetaThrottledError, 613,
    ),
    case("80001", 400, graph_error(80001, PAGE_LIMIT, is_transient=True), MetaThrottledError, 80001),
    case(
        "80004", 400,
        graph_error(80004, "(#80004) There have been too many calls to this ad-account.", subcode=2446079),
        MetaThrottledError, 80004, 2446079,
    ),
    case("341", 400, graph_error(341, "(#341) Application limit reached"), MetaThrottledError, 341),
    case(
        "368", 400,
        graph_error(368, "The action attempted has been deemed abusive or is otherwise disallowed", subcode=1390008),
        MetaThrottledError, 368, 1390008,
    ),
    # Transient: a read may be retried.
    case("1", 500, graph_error(1, "An unknown error occurred", subcode=99), MetaTransientError, 1, 99),
    case(
        "2", 500, graph_error(2, UNEXPECTED, is_transient=True), MetaTransientError, 2,
    ),
    case(
        "is_transient", 400,
        graph_error(2361081, "Something went wrong. Please try again.", type="GraphMethodException", is_transient=True),
        MetaTransientError, 2361081,
    ),
    case("500-html", 500, HTML_500, MetaTransientError),
    case("502-empty", 502, "", MetaTransientError),
    # The request is wrong: don't retry.
    case(
        "100-33", 400, graph_error(100, UNSUPPORTED_GET, type="GraphMethodException", subcode=33),
        MetaInvalidRequestError, 100, 33,
    ),
    case(
        "803", 404, graph_error(803, "(#803) Some of the aliases you requested do not exist: 99999999999"),
        MetaInvalidRequestError, 803,
    ),
    case(
        "other-4xx", 400, graph_error(2361003, "Invalid Order ID", type="GraphMethodException"),
        MetaInvalidRequestError, 2361003,
    ),
]


@pytest.mark.parametrize("status, body, headers, error_class, code, subcode", ERROR_CASES)
def test_error_responses_map_to_the_error_tree(stub, make_client, status, body, headers, error_class, code, subcode):
    if isinstance(body, dict):
        stub.reply("GET", f"{CMS_ID}/commerce_orders", status=status, json=body, headers=headers)
    else:
        stub.reply("GET", f"{CMS_ID}/commerce_orders", status=status, body=body, headers=headers)
    client = make_client(max_attempts=1)

    with pytest.raises(MetaError) as caught:
        client.get(f"{CMS_ID}/commerce_orders")

    error = caught.value
    assert type(error) is error_class
    assert (error.code, error.subcode, error.http_status) == (code, subcode, status)
    expected_trace = body["error"]["fbtrace_id"] if isinstance(body, dict) else None
    assert error.fbtrace_id == expected_trace
    assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert len(stub.requests) == 1


def test_user_facing_error_fields_are_kept(stub, make_client):
    body = graph_error(
        100, "Invalid parameter", subcode=2361081, user_title="Order not found", user_msg="The order is gone."
    )
    stub.reply("POST", "77/cancellations", status=400, json=body)

    with pytest.raises(MetaInvalidRequestError) as caught:
        make_client().cancel_order("77", idempotency_key="k")

    assert caught.value.user_title == "Order not found"
    assert caught.value.user_message == "The order is gone."
    assert caught.value.error_type == "OAuthException"


def test_errors_are_logged_with_fbtrace_id_and_never_the_token(stub, make_client, caplog):
    body = graph_error(190, f"Malformed access token {TOKEN}", fbtrace_id="Ab12Cd34Ef5")
    stub.reply("GET", "me", status=400, json=body)
    client = make_client()

    with caplog.at_level(logging.DEBUG, logger="orderguard.integrations.meta"):
        with pytest.raises(MetaAuthError) as caught:
            client.get("me")

    assert TOKEN not in caught.value.message and "[redacted]" in caught.value.message
    records = [record for record in caplog.records if record.name == "orderguard.integrations.meta"]
    assert records and any("Ab12Cd34Ef5" in record.getMessage() for record in records)
    assert all(record.fbtrace_id == "Ab12Cd34Ef5" for record in records if hasattr(record, "fbtrace_id"))
    for record in caplog.records:
        text = record.getMessage()
        assert TOKEN not in text and proof(TOKEN) not in text and SECRET not in text


def test_connection_failure_is_transient_and_leaks_no_token(make_client, sleeps):
    with socket.socket() as probe:  # a free port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}", max_attempts=2)

    with pytest.raises(MetaTransientError) as caught:
        client.get("me")

    assert client.calls == 2 and len(sleeps) == 1
    assert TOKEN not in str(caught.value) and proof(TOKEN) not in str(caught.value)
    # The requests exception (its message holds the URL and the token) is not chained either.
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_redirects_are_not_followed(stub, make_client):
    stub.reply("GET", "me", status=302, body="", headers={"Location": stub.url("elsewhere")})
    stub.reply("GET", "elsewhere", json={"id": "42"})

    with pytest.raises(MetaInvalidRequestError):
        make_client().get("me")

    assert [request.path for request in stub.requests] == [stub.path("me")]


def test_client_and_results_reprs_hold_no_secrets(stub, make_client):
    page = {"id": "9", "name": "Shop Page", "access_token": "PAGE-TOKEN-SECRET", "tasks": ["MANAGE"]}
    stub.reply("GET", "me/accounts", json={"data": [page]})
    client = make_client()
    pages = client.pages()

    assert TOKEN not in repr(client) and SECRET not in repr(client)
    assert pages[0].access_token == "PAGE-TOKEN-SECRET" and "PAGE-TOKEN-SECRET" not in repr(pages[0])


# Retries
# ------------------------------------------------------------------------------------------------------


def test_transient_error_on_get_is_retried_with_backoff(stub, make_client, sleeps):
    stub.reply("GET", "me", status=500, json=graph_error(2, UNEXPECTED, is_transient=True))
    stub.reply("GET", "me", status=503, body="<html>Service Unavailable</html>")
    stub.reply("GET", "me", json={"id": "42"})
    client = make_client(max_attempts=3)

    assert client.get("me") == {"id": "42"}
    assert len(stub.requests) == 3
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # exponential, with jitter


def test_get_retries_are_bounded_by_max_attempts(stub, make_client, sleeps):
    stub.reply("GET", "me", status=500, json=graph_error(1, "An unknown error occurred"), repeat=True)

    with pytest.raises(MetaTransientError):
        make_client(max_attempts=3).get("me")

    assert len(stub.requests) == 3 and len(sleeps) == 2


def test_a_read_that_times_out_is_retried(stub, make_client, sleeps):
    stub.reply("GET", "me", json={"id": "slow"}, delay=1.0)
    stub.reply("GET", "me", json={"id": "42"})
    client = make_client(timeout=(1, 0.2))

    assert client.get("me") == {"id": "42"}
    assert len(stub.requests) == 2 and len(sleeps) == 1


@pytest.mark.parametrize(
    "status, body",
    [
        pytest.param(400, graph_error(190, EXPIRED, subcode=463), id="190"),
        pytest.param(403, graph_error(200, "(#200) Permissions error"), id="200"),
        pytest.param(400, graph_error(100, "Invalid parameter", type="GraphMethodException"), id="100"),
        pytest.param(400, graph_error(80001, PAGE_LIMIT, is_transient=True), id="80001"),
    ],
)
def test_auth_permission_invalid_and_throttled_errors_are_not_retried(stub, make_client, sleeps, status, body):
    stub.reply("GET", "me", status=status, json=body, repeat=True)

    with pytest.raises(MetaError):
        make_client(max_attempts=3).get("me")

    assert len(stub.requests) == 1 and sleeps == []


def test_a_post_is_never_retried(stub, make_client, sleeps):
    body = graph_error(2, UNEXPECTED, is_transient=True)
    stub.reply("POST", "55/acknowledge_order", status=500, json=body, repeat=True)

    with pytest.raises(MetaTransientError):
        make_client(max_attempts=3).acknowledge_order("55", idempotency_key="k-55")

    assert len(stub.requests) == 1 and sleeps == []


def test_a_post_that_times_out_is_not_retried(stub, make_client, sleeps):
    stub.reply("POST", "55/cancellations", json={"success": True}, delay=1.0, repeat=True)

    with pytest.raises(MetaTransientError):
        make_client(timeout=(1, 0.2)).cancel_order("55", idempotency_key="k-55")

    assert len(stub.requests) == 1 and sleeps == []


def test_a_delete_is_never_retried(stub, make_client, sleeps):
    stub.reply("DELETE", f"{CMS_ID}/order_management_apps", status=502, body="", repeat=True)

    with pytest.raises(MetaTransientError):
        make_client(max_attempts=3).delete(f"{CMS_ID}/order_management_apps")

    assert len(stub.requests) == 1 and sleeps == []


# Throttling
# ------------------------------------------------------------------------------------------------------


def test_throttled_error_takes_retry_after_from_the_buc_header_in_minutes(stub, make_client):
    headers = buc_header(CMS_ID, buc_entry(call_count=100, total_time=40, regain_minutes=5))
    stub.reply("GET", "me", status=400, json=graph_error(80001, PAGE_LIMIT, is_transient=True), headers=headers)

    with pytest.raises(MetaThrottledError) as caught:
        make_client().get("me")

    assert caught.value.retry_after == 300


def test_throttled_error_without_a_regain_time_waits_the_default(stub, make_client):
    body = graph_error(4, "(#4) Application request limit reached", is_transient=True)
    app_usage = {"X-App-Usage": '{"call_count":100,"total_time":12,"total_cputime":9}'}
    stub.reply("GET", "me", status=403, json=body, headers=app_usage)

    with pytest.raises(MetaThrottledError) as caught:
        make_client().get("me")

    assert caught.value.retry_after == 60


def test_after_a_throttle_no_request_is_sent_until_the_clock_passes(stub, make_client, clock):
    headers = buc_header(CMS_ID, buc_entry(call_count=100, regain_minutes=2))
    body = graph_error(32, "(#32) Page request limit reached", is_transient=True)
    stub.reply("GET", "me", status=400, json=body, headers=headers)
    stub.reply("GET", "me", json={"id": "42"})
    client = make_client()
    start = clock.now

    with pytest.raises(MetaThrottledError):
        client.get("me")
    assert client.not_before == start + 120

    clock.now = start + 119
    with pytest.raises(MetaThrottledError) as caught:
        client.post("55/acknowledge_order", {"idempotency_key": "k"})  # writes are held too
    assert caught.value.retry_after == pytest.approx(1)
    assert len(stub.requests) == 1

    clock.now = start + 121
    assert client.get("me") == {"id": "42"}
    assert len(stub.requests) == 2


def test_a_successful_response_with_a_regain_time_holds_the_next_call(stub, make_client, clock):
    stub.reply("GET", "me", json={"id": "42"}, headers=buc_header(CMS_ID, buc_entry(call_count=100, regain_minutes=1)))
    stub.reply("GET", "me", json={"id": "43"})
    client = make_client()

    assert client.get("me") == {"id": "42"}
    assert client.last_usage.regain_seconds == 60
    with pytest.raises(MetaThrottledError) as caught:
        client.get("me")
    assert caught.value.retry_after == pytest.approx(60)
    assert len(stub.requests) == 1

    clock.now += 61
    assert client.get("me") == {"id": "43"}


def test_not_before_given_at_construction_is_honoured(stub, make_client, clock):
    stub.reply("GET", "me", json={"id": "42"})
    client = make_client(not_before=clock.now + 30)

    with pytest.raises(MetaThrottledError) as caught:
        client.get("me")
    assert caught.value.retry_after == pytest.approx(30)
    assert stub.requests == []

    clock.now += 31
    assert client.get("me") == {"id": "42"}


def test_a_throttle_met_during_a_read_retry_stops_the_retries(stub, make_client, sleeps):
    headers = buc_header(CMS_ID, buc_entry(regain_minutes=3))
    stub.reply("GET", "me", status=500, json=graph_error(2, UNEXPECTED, is_transient=True), headers=headers)
    stub.reply("GET", "me", json={"id": "42"})

    with pytest.raises(MetaThrottledError):
        make_client(max_attempts=3).get("me")

    assert len(stub.requests) == 1 and sleeps == []


# Usage headers
# ------------------------------------------------------------------------------------------------------


def test_usage_headers_are_parsed_as_a_dict_of_lists_with_minutes(stub, make_client):
    buc = {
        CMS_ID: [
            # The example from Meta's rate-limiting page, plus a second use case of the same object.
            {"type": "pages", "call_count": 97, "total_cputime": 23, "total_time": 23,
             "estimated_time_to_regain_access": 0},
            {"type": "instagram", "call_count": 12, "total_cputime": 3, "total_time": 4,
             "estimated_time_to_regain_access": 0},
        ],
        "987654321": [
            {"type": "pages", "call_count": 10, "total_cputime": 5, "total_time": 99,
             "estimated_time_to_regain_access": 0},
        ],
    }
    headers = {
        "X-Business-Use-Case-Usage": json.dumps(buc),
        "X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}',
    }
    stub.reply("GET", "me", json={"id": "42"}, headers=headers)
    client = make_client()
    assert client.last_usage is None

    client.get("me")

    usage = client.last_usage
    assert (usage.app.call_count, usage.app.total_time, usage.app.total_cputime) == (28, 25, 25)
    assert [(entry.object_id, entry.type, entry.call_count) for entry in usage.business] == [
        (CMS_ID, "pages", 97),
        (CMS_ID, "instagram", 12),
        ("987654321", "pages", 10),
    ]
    assert usage.max_percent == 99
    assert usage.regain_seconds == 0


def test_usage_regain_time_is_converted_to_seconds_and_the_latest_response_wins(stub, make_client, clock):
    calm = buc_header(CMS_ID, buc_entry(regain_minutes=0), buc_entry(type="instagram", regain_minutes=0))
    throttled = buc_header(
        CMS_ID, buc_entry(regain_minutes=0), buc_entry(type="instagram", call_count=100, regain_minutes=7)
    )
    stub.reply("GET", "a", json={}, headers=calm)
    stub.reply("GET", "b", json={}, headers=throttled)
    client = make_client()

    client.get("a")
    assert client.last_usage.regain_seconds == 0 and client.not_before is None
    client.get("b")
    assert client.last_usage.regain_seconds == 420
    assert client.last_usage.max_percent == 100
    assert client.not_before == clock.now + 420


def test_malformed_usage_headers_do_not_fail_the_call(stub, make_client):
    stub.reply("GET", "me", json={"id": "42"}, headers={"X-Business-Use-Case-Usage": "{not json", "X-App-Usage": "[]"})
    client = make_client()

    assert client.get("me") == {"id": "42"}
    assert client.last_usage.max_percent == 0 and client.last_usage.business == ()


# Paging
# ------------------------------------------------------------------------------------------------------


def _orders_page(stub, ids, *, after=None, next_after=None, next_url=None) -> None:
    page = {
        "data": [order_payload(order_id) for order_id in ids],
        "paging": {"cursors": {"before": "b", "after": next_after or "last"}},
    }
    if next_after:
        page["paging"]["next"] = next_url or stub.url(
            f"{CMS_ID}/commerce_orders", access_token="TOKEN-FROM-META", limit="25", after=next_after, state="CREATED"
        )
    stub.reply("GET", f"{CMS_ID}/commerce_orders", json=page, when={"after": after} if after else None)


def test_list_orders_follows_paging_next_across_pages_of_different_sizes(stub, make_client):
    first = [str(10_000_000_000_000_000 + n) for n in range(25)]
    second = [str(20_000_000_000_000_000 + n) for n in range(7)]
    third = ["30000000000000000"]
    _orders_page(stub, third, after="c2")
    _orders_page(stub, second, after="c1", next_after="c2")
    _orders_page(stub, first, next_after="c1")
    client = make_client()

    orders = list(client.list_orders(CMS_ID, states=["CREATED"]))

    assert [order.id for order in orders] == first + second + third
    assert len(stub.requests) == 3 and not stub.unexpected
    assert [request.query.get("after") for request in stub.requests] == [None, "c1", "c2"]
    for request in stub.requests:  # our token replaced the one Meta wrote into paging.next
        assert request.query["access_token"] == TOKEN and request.query["appsecret_proof"] == proof(TOKEN)


def test_paging_next_pointing_at_another_host_is_not_followed(stub, make_client):
    foreign = "https://graph.example.net/v25.0/1300000000000001/commerce_orders?after=c1&access_token=X"
    _orders_page(stub, ["2"], after="c1")
    _orders_page(stub, ["1"], next_after="c1", next_url=foreign)

    orders = list(make_client().list_orders(CMS_ID, states=["CREATED"], limit=10))

    assert [order.id for order in orders] == ["1", "2"]
    assert [request.path for request in stub.requests] == [stub.path(f"{CMS_ID}/commerce_orders")] * 2
    # The fallback repeats our own query with Meta's `after` cursor.
    assert stub.requests[1].query["after"] == "c1" and stub.requests[1].query["limit"] == "10"
    assert stub.requests[1].query["state"] == "CREATED"


def test_foreign_paging_next_without_a_cursor_stops(stub, make_client):
    foreign = "http://198.51.100.7/v25.0/me/accounts?after=x"
    stub.reply("GET", "me/accounts", json={"data": [{"id": "1"}], "paging": {"next": foreign}})

    assert [page.id for page in make_client().pages()] == ["1"]
    assert len(stub.requests) == 1


def test_the_last_page_with_cursors_but_no_next_ends_paging(stub, make_client):
    stub.reply("GET", "me/accounts", json={"data": [{"id": "1"}], "paging": {"cursors": {"before": "a", "after": "b"}}})

    assert [page.id for page in make_client().pages()] == ["1"]
    assert len(stub.requests) == 1


# Typed calls
# ------------------------------------------------------------------------------------------------------


def test_list_orders_sends_states_filters_fields_and_updated_after_as_unix_seconds(stub, make_client):
    stub.reply("GET", f"{CMS_ID}/commerce_orders", json={"data": []})
    since = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

    orders = make_client().list_orders(
        CMS_ID, states=["CREATED", "FB_PROCESSING"], filters=["no_shipments"], updated_after=since, limit=50
    )

    assert list(orders) == []

    query = stub.requests[0].query
    assert query["state"] == "CREATED,FB_PROCESSING"
    assert query["filters"] == "no_shipments"
    assert query["updated_after"] == str(int(since.timestamp())) == "1795773600"
    assert query["fields"] == ORDER_FIELDS
    assert query["limit"] == "50"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"states": []},
        {"states": ["STUCK"]},
        {"states": ["CREATED"], "filters": ["has_everything"]},
        {"states": ["CREATED"], "updated_after": datetime(2026, 11, 27, 10, 0)},
    ],
)
def test_list_orders_refuses_bad_arguments_before_any_request(stub, make_client, kwargs):
    with pytest.raises(ValueError):
        make_client().list_orders(CMS_ID, **kwargs)
    assert stub.requests == []


def test_order_payload_is_parsed_into_types():
    order = MetaOrder.from_api(order_payload())

    assert order.id == "10163483459032731" and isinstance(order.id, str)
    assert order.state == "CREATED"
    assert order.created == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert order.last_updated - order.created == timedelta(minutes=31, seconds=12)
    assert order.channel == "instagram" and order.ship_by_date == date(2026, 11, 30)
    assert order.is_test_order is False
    assert (order.buyer_name, order.buyer_email) == ("Jane Doe", "3w5kqg7j8o@marketplace.facebook.com")
    assert order.email_remarketing_option is False
    assert order.shipping_address["postal_code"] == "94025"
    assert order.total_amount == Decimal("31.18") and order.currency == "USD"
    first, second = order.items
    assert (first.id, first.retailer_id, first.product_id) == ("2966019003621211", "SKU-RED-M", "4208907702524510")
    assert isinstance(first.price_per_unit, Decimal)
    assert (first.price_per_unit, first.currency) == (Decimal("9.50"), "USD")
    assert (first.quantity, first.cancelled_quantity) == (2, 0)
    assert second.price_per_unit == Decimal("9")
    assert order.fully_cancelled is False


def test_ids_that_are_numbers_stay_exact_strings():
    payload = {"id": 123456789012345678901, "order_status": {"state": "COMPLETED"}}
    order = MetaOrder.from_api(payload)
    assert order.id == "123456789012345678901"
    assert order.items == () and order.total_amount is None and order.fully_cancelled is False


@pytest.mark.parametrize(
    "statuses, expected",
    [
        # (in_progress, fulfilled, cancelled) per item; the first item has quantity 2, the second 1.
        pytest.param([(0, 0, 2), (0, 0, 1)], True, id="all-cancelled"),
        pytest.param([(0, 1, 1), (0, 0, 1)], False, id="one-unit-fulfilled"),
        pytest.param([(2, 0, 0), (0, 0, 1)], False, id="partly-cancelled"),
        pytest.param([None, (0, 0, 1)], False, id="status-unknown"),
    ],
)
def test_fully_cancelled_comes_from_item_status(statuses, expected):
    payload = order_payload()
    for item, status in zip(payload["items"]["data"], statuses, strict=True):
        if status is None:
            del item["status"]
        else:
            item["status"] = dict(zip(("in_progress", "fulfilled", "cancelled"), status, strict=True))

    assert MetaOrder.from_api(payload).fully_cancelled is expected


def test_get_order_fetches_the_rest_of_a_cut_items_edge(stub, make_client):
    payload = order_payload("555")
    payload["items"]["paging"] = {"cursors": {"after": "i1"}, "next": stub.url("555/items", after="i1")}
    stub.reply("GET", "555", json=payload)
    all_items = payload["items"]["data"] + [
        {"id": "3", "retailer_id": "SKU-3", "product_id": "9", "quantity": 1, "price_per_unit": usd("1.00"),
         "status": {"cancelled": 1}}
    ]
    stub.reply("GET", "555/items", json={"data": all_items})

    order = make_client().get_order("555")

    assert [item.id for item in order.items] == ["2966019003621211", "2966019003621212", "3"]
    assert order.has_more_items is False
    assert stub.requests[0].query["fields"] == ORDER_FIELDS
    assert stub.requests[1].query["fields"] == "id,retailer_id,product_id,product_name,quantity,price_per_unit,status"


def test_acknowledge_order_posts_the_idempotency_key_and_reference(stub, make_client):
    stub.reply("POST", "64000840790134/acknowledge_order", json={"id": "64000840790134", "state": "IN_PROGRESS"})

    client = make_client()
    result = client.acknowledge_order("64000840790134", idempotency_key="b8d5c6b4-1", merchant_order_reference="#1001")

    assert result == {"id": "64000840790134", "state": "IN_PROGRESS"}
    form = stub.requests[0].form
    assert (form["idempotency_key"], form["merchant_order_reference"]) == ("b8d5c6b4-1", "#1001")


def test_cancel_order_posts_a_json_cancel_reason(stub, make_client):
    stub.reply("POST", "64000840790134/cancellations", json={"success": True})

    result = make_client().cancel_order(
        "64000840790134",
        idempotency_key="c-1",
        reason_code="OUT_OF_STOCK",
        reason_description="Sold out, sorry",
        restock_items=True,
    )

    assert result == CancelResult(success=True, idempotency_key="c-1")
    form = stub.requests[0].form
    assert json.loads(form["cancel_reason"]) == {"reason_code": "OUT_OF_STOCK", "reason_description": "Sold out, sorry"}
    assert form["restock_items"] == "true" and form["idempotency_key"] == "c-1"
    assert "items" not in form  # the whole order


@pytest.mark.parametrize("kwargs", [{"idempotency_key": ""}, {"idempotency_key": "k", "reason_code": "BORED"}])
def test_cancel_order_refuses_bad_arguments_before_any_request(stub, make_client, kwargs):
    with pytest.raises(ValueError):
        make_client().cancel_order("1", **kwargs)
    assert stub.requests == []


def test_commerce_account_setup_status_and_apps(stub, make_client):
    stub.reply("GET", CMS_ID, json={
        "id": CMS_ID,
        "display_name": "Alpha Goods",
        "merchant_page": {"id": "1717", "name": "Alpha Goods Page"},
        "merchant_status": "ENABLED",
    })
    stub.reply("GET", f"{CMS_ID}/setup_status", json={"data": [{
        "shop_setup": "SETUP",
        "payment_setup": "VERIFICATION_NEEDED",
        "review_status": {"status": "APPROVED", "reasons": []},
    }]})
    stub.reply("GET", f"{CMS_ID}/order_management_apps", json={"data": [{"id": "9999000011112222", "name": "Shopify"}]})
    client = make_client()

    account = client.commerce_account(CMS_ID)
    status = client.setup_status(CMS_ID)
    apps = client.order_management_apps(CMS_ID)

    assert (account.id, account.name, account.merchant_page_id) == (CMS_ID, "Alpha Goods", "1717")
    assert account.merchant_status == "ENABLED"
    assert stub.requests[0].query["fields"] == "id,display_name,merchant_page,merchant_status"
    assert (status.shop_setup, status.payment_setup) == ("SETUP", "VERIFICATION_NEEDED")
    assert status.review_status == "APPROVED"
    assert [(app.id, app.name) for app in apps] == [("9999000011112222", "Shopify")]


def test_pages_and_their_commerce_accounts(stub, make_client):
    stub.reply("GET", "me/accounts", json={
        "data": [{"id": "1717", "name": "Alpha Page", "access_token": "PAGE-TOKEN", "tasks": ["ADVERTISE", "MANAGE"]}],
        "paging": {"cursors": {"before": "x", "after": "y"}},
    })
    settings = {"data": [{"id": CMS_ID}, {"id": "1300000000000002"}]}
    stub.reply("GET", "1717", json={"commerce_merchant_settings": settings, "id": "1717"})
    client = make_client()

    pages = client.pages()

    assert [(page.id, page.name, page.access_token) for page in pages] == [("1717", "Alpha Page", "PAGE-TOKEN")]
    assert pages[0].tasks == ("ADVERTISE", "MANAGE")
    assert stub.requests[0].query["fields"] == "id,name,access_token,tasks"
    assert client.page_commerce_accounts("1717") == [CMS_ID, "1300000000000002"]
    assert stub.requests[1].query["fields"] == "commerce_merchant_settings"


def test_debug_token_uses_the_app_token_and_its_own_proof(stub, make_client):
    stub.reply("GET", "debug_token", json={"data": {
        "app_id": APP_ID,
        "type": "USER",
        "application": "OrderGuard",
        "data_access_expires_at": 1803000000,
        "expires_at": 0,
        "is_valid": True,
        "issued_at": 1795000000,
        "scopes": ["commerce_account_manage_orders", "pages_show_list"],
        "granular_scopes": [
            {"scope": "commerce_account_manage_orders", "target_ids": [CMS_ID]},
            {"scope": "pages_show_list"},
        ],
        "user_id": "10224000000000000",
    }})

    info = make_client().debug_token("EAAG-the-token-to-inspect")

    query = stub.requests[0].query
    assert query["access_token"] == f"{APP_ID}|{SECRET}"
    assert query["appsecret_proof"] == proof(f"{APP_ID}|{SECRET}")
    assert query["input_token"] == "EAAG-the-token-to-inspect"
    assert info.is_valid and info.type == "USER" and info.app_id == APP_ID
    assert info.expires_at is None
    assert info.data_access_expires_at == datetime.fromtimestamp(1803000000, tz=UTC)
    assert info.scopes == ("commerce_account_manage_orders", "pages_show_list")
    assert info.targets_for("commerce_account_manage_orders") == (CMS_ID,)
    assert info.error is None


def test_debug_token_of_an_invalid_token(stub, make_client):
    stub.reply("GET", "debug_token", json={"data": {
        "app_id": APP_ID, "type": "USER", "application": "OrderGuard", "expires_at": 1795000000, "is_valid": False,
        "scopes": [], "user_id": "1",
        "error": {"code": 190, "message": "Error validating access token: Session has expired.", "subcode": 463},
    }})

    info = make_client().debug_token("EAAG-old")

    assert info.is_valid is False and info.error["subcode"] == 463
    assert info.expires_at == datetime.fromtimestamp(1795000000, tz=UTC)


def test_exchanging_a_code_and_a_short_lived_token(stub, make_client):
    short_reply = {"access_token": "EAAG-short", "token_type": "bearer", "expires_in": 5183944}
    long_reply = {"access_token": "EAAG-long", "token_type": "bearer", "expires_in": 5183944}
    stub.reply("GET", "oauth/access_token", when={"code": "AQD-code"}, json=short_reply)
    stub.reply("GET", "oauth/access_token", when={"grant_type": "fb_exchange_token"}, json=long_reply)
    client = make_client(access_token="")

    short = client.exchange_code_for_token(code="AQD-code", redirect_uri="https://app.example/meta/callback")
    long = client.exchange_for_long_lived_token(short)

    assert (short, long) == ("EAAG-short", "EAAG-long")
    first, second = stub.requests
    assert first.query == {
        "client_id": APP_ID,
        "client_secret": SECRET,
        "redirect_uri": "https://app.example/meta/callback",
        "code": "AQD-code",
    }
    assert second.query == {
        "grant_type": "fb_exchange_token",
        "client_id": APP_ID,
        "client_secret": SECRET,
        "fb_exchange_token": "EAAG-short",
    }


def test_a_used_code_is_not_retried_and_not_echoed(stub, make_client, sleeps):
    # A code works once: after a lost response a replay could only fail, so even a transient error is final.
    body = graph_error(2, "An unexpected error has occurred exchanging AQD-code.", is_transient=True)
    stub.reply("GET", "oauth/access_token", status=500, json=body, repeat=True)

    with pytest.raises(MetaTransientError) as caught:
        make_client().exchange_code_for_token(code="AQD-code", redirect_uri="https://app.example/cb")

    assert "AQD-code" not in str(caught.value)
    assert len(stub.requests) == 1 and sleeps == []


def test_token_calls_need_the_app_id(stub, make_client):
    with pytest.raises(ValueError):
        make_client(app_id="").debug_token("x")
    assert stub.requests == []


def test_a_call_answered_by_another_graph_version_is_a_deprecation_signal(stub, make_client, caplog):
    setup = {"data": [{"shop_setup": "SETUP", "payment_setup": "SETUP"}]}
    stub.reply("GET", "/v24.0/123/setup_status", json=setup, headers={"x-fb-api-version": "v24.0"})
    client = make_client(api_version="v24.0")
    client.setup_status("123")
    assert client.last_version_mismatch == ""
    stub.reply("GET", "/v24.0/123/setup_status", json=setup, headers={"x-fb-api-version": "v25.0"})
    with caplog.at_level("WARNING"):
        client.setup_status("123")
    assert client.last_version_mismatch == "v25.0"
    assert "Meta answered with Graph API v25.0 instead of v24.0" in caplog.text
