"""The mesh directory: which sites exist and where their OCM API is.

ScienceMesh sites learnt about each other from Mentix, which served a JSON list of CS3
``ProviderInfo`` objects (docs/protocols.md §4.1). Every site of the local mesh serves the same
list at ``/mesh/directory.json``; the sites use it as their trust list (invitations and
must-invite) and the client reads it to show the mesh.

An invitation link points here too (``?token=...&providerDomain=...``, as Reva makes it for
its WAYF page), and a person opens it in a browser: with those parameters the answer is a
small HTML page that says how to accept the invitation, never the raw JSON.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .ocm import OCM_PATH, host_of
from .webapp import HttpError, Request, Response, json_response, serve

PATH = "/mesh/directory.json"  # the ready file's directory_url points here (cli.py)


@dataclass(frozen=True)
class Provider:
    """One site of the mesh as the directory lists it."""

    name: str
    url: str  # "http://127.0.0.1:PORT"

    @property
    def domain(self) -> str:
        return host_of(self.url)

    @property
    def ocm_endpoint(self) -> str:
        return self.url + OCM_PATH


def _service(provider: Provider, kind: str, description: str, path: str) -> dict[str, Any]:
    return {
        "host": provider.domain,
        "api_version": "1.1.0",
        "endpoint": {
            "type": {"name": kind, "description": description},
            "name": f"{provider.name} - {kind}",
            "path": path,
            "is_monitored": True,
            "properties": {},
        },
        "additional_endpoints": [],
    }


def provider_info(provider: Provider) -> dict[str, Any]:
    """The CS3 ``ProviderInfo`` shape (snake_case, as Mentix exported it)."""
    return {
        "name": provider.name,
        "full_name": f"Local mesh site {provider.name}",
        "organization": "cs3_jupyter local mesh",
        "domain": provider.domain,
        "homepage": provider.url,
        "email": "",
        "description": "A protocol-faithful stand-in for an EFSS site, on loopback.",
        "services": [
            _service(provider, "OCM", "OCM API", provider.ocm_endpoint + "/"),
            _service(provider, "WEBDAV", "WebDAV", provider.url + "/remote.php/dav/"),
        ],
        "properties": {},
    }


class Directory:
    """The providers of the mesh, looked up by domain (``host:port``, scheme ignored)."""

    def __init__(self, providers: Callable[[], list[Provider]]) -> None:
        self._providers = providers

    def providers(self) -> list[Provider]:
        return self._providers()

    def find(self, domain: str) -> Provider | None:
        wanted = host_of(domain)
        return next((p for p in self.providers() if p.domain == wanted), None)

    def document(self) -> list[dict[str, Any]]:
        return [provider_info(p) for p in self.providers()]

    def handle(self, request: Request) -> Response:
        if request.path != "/" or request.method != "GET":
            raise HttpError(404, "Not found")
        token = request.arg("token")
        if token:
            return self.invitation_page(token, request.arg("providerDomain") or "")
        return json_response(200, self.document())

    def invitation_page(self, token: str, domain: str) -> Response:
        """The page an invitation link opens: the token, who it comes from, how to accept."""
        inviter = self.find(domain) if domain else None
        origin = f"{inviter.name} ({inviter.domain})" if inviter else domain or "another site"
        others = "".join(
            f"<li>{html.escape(p.name)} ({html.escape(p.domain)})</li>"
            for p in self.providers()
            if inviter is None or p.domain != inviter.domain
        )
        body = (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<title>ScienceMesh invitation</title></head><body><main>"
            "<h1>You are invited to share files across the ScienceMesh</h1>"
            f"<p>This invitation comes from someone at {html.escape(origin)}.</p>"
            "<h2>Accept it in JupyterLab</h2><ol>"
            "<li>Open the ScienceMesh panel and its Contacts section.</li>"
            "<li>Choose <strong>Accept an invitation</strong> and paste this link, or the "
            "token below.</li></ol>"
            f"<p>Token: <code>{html.escape(token)}</code></p>"
            f"<p>Inviting site: <code>{html.escape(domain)}</code></p>"
            "<p>Your account must be at a site of this mesh:</p>"
            f"<ul>{others}</ul></main></body></html>"
        )
        return Response(200, body.encode(), content_type="text/html; charset=utf-8")

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        return serve(
            PATH,
            environ,
            start_response,
            self.handle,
            lambda _req, err: json_response(err.status, {"message": err.message}),
        )
