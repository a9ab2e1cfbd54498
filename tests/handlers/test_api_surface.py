"""The REST surface: openapi.yaml is valid, matches what the server serves, and every route
needs authentication (and XSRF protection for writes).

Runs against a real in-process Jupyter server (pytest-jupyter); no EFSS site is needed
because every request here is refused before our code would talk to one.
"""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.web import RequestHandler

from cs3_jupyter.app import API_PREFIX

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"cs3_jupyter": True}}}


def spec_operations(openapi: dict) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in openapi["paths"].items()
        for method in METHODS
        if method in item
    }


def example_path(template: str) -> str:
    """A concrete URL path for an OpenAPI path template."""
    return re.sub(r"\{[^}]+\}", "x1", template)


def _rules(router):
    """Every leaf rule of Tornado's (nested) routers."""
    for rule in getattr(router, "rules", ()):
        if hasattr(rule.target, "rules"):
            yield from _rules(rule.target)
        else:
            yield rule


def served_operations(serverapp) -> set[tuple[str, str]]:
    """(OpenAPI-style path, method) for every handler the server has under /cs3/api."""
    served = set()
    for rule in _rules(serverapp.web_app.default_router):
        pattern = getattr(rule.matcher, "regex", None)
        if pattern is None or API_PREFIX not in pattern.pattern:
            continue
        route = pattern.pattern.split(API_PREFIX, 1)[1].rstrip("$")
        template = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", route)
        for method in METHODS:
            if getattr(rule.target, method) is not getattr(RequestHandler, method):
                served.add((template, method))
    return served


def test_openapi_file_is_valid(openapi):
    validate(openapi)


def test_every_documented_operation_is_served_and_every_served_one_documented(
    jp_serverapp, openapi
):
    served = served_operations(jp_serverapp)
    documented = spec_operations(openapi)
    assert served, "no /cs3/api handler found: the comparison would be empty"
    assert served - documented == set(), "served but missing from openapi.yaml"
    assert documented - served == set(), "in openapi.yaml but not served"


async def _request(url: str, method: str, **kwargs):
    body = "{}" if method.upper() in ("POST", "PUT", "PATCH") else None
    try:
        return await AsyncHTTPClient().fetch(
            url, method=method.upper(), body=body, raise_error=True, **kwargs
        )
    except HTTPClientError as err:
        assert err.response is not None, err
        return err.response


async def test_every_operation_refuses_unauthenticated_requests(
    http_server_client, jp_base_url, jp_http_port, openapi
):
    # (http_server_client makes the in-process server listen on jp_http_port.)
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}cs3/api"
    answers = {}
    for path, method in sorted(spec_operations(openapi)):
        response = await _request(base + example_path(path), method)
        answers[(path, method)] = (response.code, bool(json.loads(response.body)["message"]))
    assert answers == {op: (403, True) for op in spec_operations(openapi)}


async def test_cookie_authenticated_writes_need_the_xsrf_token(
    jp_serverapp, http_server_client, jp_base_url, jp_http_port, openapi
):
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
    # Log in the way a browser does (token in the URL), then keep only the cookie.
    token = jp_serverapp.identity_provider.token
    login = await AsyncHTTPClient().fetch(f"{base}api/status?token={token}")
    cookies = "; ".join(c.split(";", 1)[0] for c in login.headers.get_list("Set-Cookie"))
    assert cookies, "the login did not set a cookie"
    status = await _request(f"{base}api/status", "get", headers={"Cookie": cookies})
    assert status.code == 200, "the cookie alone should authenticate"
    writes = sorted(op for op in spec_operations(openapi) if op[1] in WRITES)
    assert writes
    answers = {}
    for path, method in writes:
        response = await _request(
            f"{base}cs3/api{example_path(path)}", method, headers={"Cookie": cookies}
        )
        message = json.loads(response.body)["message"].lower()
        answers[(path, method)] = (response.code, "xsrf" in message)
    assert answers == {op: (403, True) for op in writes}


async def test_without_a_configured_site_sharing_says_so(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("cs3", "api", "whoami")
    assert err.value.code == 409
    assert json.loads(err.value.response.body)["reason"] == "not_configured"
