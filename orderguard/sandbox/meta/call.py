"""One Graph API request as the handlers see it: method, path, parameters (query, form or JSON body),
the time, the authenticated caller and the account it concerns (for usage headers and the call log).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpRequest, QueryDict

from orderguard.sandbox.meta import errors, graph
from orderguard.sandbox.meta.auth import AppCaller
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaToken


@dataclass
class Call:
    request: HttpRequest
    method: str
    version: str
    path: str
    params: dict
    now: datetime
    caller: MetaToken | AppCaller | None = None
    account: MetaCommerceAccount | None = None
    operation: str = ""
    log_account: str = ""
    extra_headers: dict = field(default_factory=dict)

    @property
    def token(self) -> MetaToken:
        assert isinstance(self.caller, MetaToken)
        return self.caller

    def graph_url(self, path: str) -> str:
        """An absolute URL on this sandbox, from the request's own scheme and host."""
        return self.request.build_absolute_uri(f"{self.request.path.split('/graph/')[0]}/graph/{self.version}/{path}")

    def page_link(self, changes: dict) -> str:
        return graph.link(self.graph_url(self.path), dict(self.request.GET.items()), changes)

    def edge_link(self, node_id: str, edge_path: str, after: str, limit: int) -> str:
        params = {k: v for k, v in self.request.GET.items() if k in ("access_token", "appsecret_proof")}
        return graph.link(self.graph_url(f"{node_id}/{edge_path}"), params, {"limit": limit, "after": after})

    def fields(self) -> graph.Selection | None:
        return graph.parse_fields(self.params.get("fields"))

    def json_param(self, name: str, default=None):
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except (ValueError, RecursionError):
                raise errors.invalid_parameter(f"Param {name} must be a JSON value") from None
        return value

    def bool_param(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise errors.invalid_parameter(f"Param {name} must be a boolean")


def read_params(request: HttpRequest) -> dict:
    params: dict = dict(request.GET.items())
    if request.method in ("POST", "DELETE"):
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
                raise errors.invalid_parameter("The request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise errors.invalid_parameter("The request body must be a JSON object")
            params.update(body)
        elif request.method == "POST":
            params.update(request.POST.items())
        else:
            params.update(QueryDict(request.body).items())
    return params
