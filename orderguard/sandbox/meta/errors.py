"""Graph API errors in Meta's shape: `{"error": {message, type, code, error_subcode, fbtrace_id, ...}}`.

Handlers raise GraphError; the view turns it into the JSON body and HTTP status Meta uses. Messages copy
Meta's wording where it is known (developers.facebook.com "Handling Errors", "Rate Limiting").
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from django.http import JsonResponse

_TRACE_ALPHABET = string.ascii_letters + string.digits + "_-"

THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: (
        "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, "
        "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
    ),
    80004: (
        "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, "
        "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management."
    ),
}


def fbtrace_id() -> str:
    return "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(23))


class GraphError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: int,
        subcode: int | None = None,
        status: int = 400,
        error_type: str = "OAuthException",
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_message: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.status = status
        self.error_type = error_type
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_message = user_message

    def body(self) -> dict:
        error: dict = {"message": self.message, "type": self.error_type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_message:
            error["error_user_msg"] = self.user_message
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def response(self) -> JsonResponse:
        response = JsonResponse(self.body(), status=self.status)
        if self.code == 190:
            # Meta repeats the token error in WWW-Authenticate, as OAuth 2 bearer errors go.
            response["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{self.message}"'
        return response


# Constructors for the errors the stand-in raises, so the codes live in one place.


def missing_token() -> GraphError:
    return GraphError("An access token is required to request this resource.", code=104)


def invalid_token() -> GraphError:
    return GraphError("Invalid OAuth access token - Cannot parse access token", code=190, subcode=467)


def invalidated_token() -> GraphError:
    return GraphError(
        "Error validating access token: The session has been invalidated because the user changed their password "
        "or Facebook has changed the session for security reasons.",
        code=190,
        subcode=467,
    )


def expired_token(expired_at: datetime, now: datetime) -> GraphError:
    return GraphError(
        f"Error validating access token: Session has expired on {meta_time(expired_at)}. The current time is {meta_time(now)}.",
        code=190,
        subcode=463,
    )


def meta_time(value: datetime) -> str:
    """As Meta words times in token errors: "Saturday, 01-Jan-22 12:00:00 PST" (here in UTC)."""
    return value.strftime("%A, %d-%b-%y %H:%M:%S UTC")


def missing_proof() -> GraphError:
    return GraphError("API calls from the server require an appsecret_proof argument", code=100, error_type="GraphMethodException")


def invalid_proof() -> GraphError:
    return GraphError("Invalid appsecret_proof provided in the API argument", code=100, error_type="GraphMethodException")


def unsupported(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        code=100,
        subcode=33,
        error_type="GraphMethodException",
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(f"Unknown path components: /{path}", code=2500)


def missing_permission(permission: str) -> GraphError:
    return GraphError(f"(#200) Requires {permission} permission to manage the object", code=200, status=403)


def missing_capability(permission: str) -> GraphError:
    return GraphError(f"(#10) Application does not have permission for this action: {permission}", code=10, status=403)


def invalid_parameter(message: str) -> GraphError:
    return GraphError(f"(#100) {message}", code=100)


def nonexisting_field(field: str, node_type: str) -> GraphError:
    return GraphError(f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})", code=100)


def deprecated_version(version: str, latest: str) -> GraphError:
    return GraphError(
        f"(#2635) You are calling a deprecated version of the Graph API ({version}). Please update to the latest "
        f"version: {latest}.",
        code=2635,
    )


def throttled(code: int) -> GraphError:
    return GraphError(THROTTLE_MESSAGES.get(code, f"(#{code}) Rate limit reached"), code=code, is_transient=True)


def server_error(status: int = 500) -> GraphError:
    return GraphError(
        "An unexpected error has occurred. Please retry your request later.", code=2, status=status, is_transient=True
    )


def app_token_required() -> GraphError:
    return GraphError(
        "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        code=100,
    )
