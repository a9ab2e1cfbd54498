"""TLS: certificates are verified by default, a private CA works through ``CS3Site.ca_bundle``.

The mesh speaks plain HTTP, so a small TLS terminator on 127.0.0.1 sits in front of site
"a" with a self-signed certificate made by ``openssl`` for this test run (a stand-in for a
site behind a private CA; nothing here is mocked: bytes really go through TLS to the site).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from urllib3.exceptions import InsecureRequestWarning


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def _serve(listener: socket.socket, context: ssl.SSLContext, upstream: tuple[str, int]) -> None:
    while True:
        try:
            raw, _ = listener.accept()
        except OSError:
            return  # the listener was closed: the test is over
        try:
            client = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()  # a client that refused our certificate
            continue
        backend = socket.create_connection(upstream)
        for a, b in ((client, backend), (backend, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


@pytest.fixture(scope="module")
def tls_site(mesh, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """(https URL in front of site "a", path of the certificate that signs it)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "site.pem", folder / "site.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    host, port = mesh.site("a").host.split(":")
    listener = socket.create_server(("127.0.0.1", 0))
    threading.Thread(
        target=_serve, args=(listener, context, (host, int(port))), daemon=True
    ).start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}", cert
    listener.close()


class TestDefaultVerification:
    @pytest.fixture
    def site_config(self, site_config, tls_site):
        return {**site_config, "url": tls_site[0]}

    async def test_an_unknown_certificate_is_refused_with_advice(self, api):
        code, message = await api.error("GET", "")
        assert code == 502
        assert "CS3Site.ca_bundle" in message


class TestPrivateCA:
    @pytest.fixture
    def site_config(self, site_config, tls_site):
        return {**site_config, "url": tls_site[0], "ca_bundle": str(tls_site[1])}

    async def test_a_ca_bundle_makes_the_site_trusted(self, api, dav):
        await api.text("over-tls.txt", "secret research")
        assert dav.download("over-tls.txt")[0] == b"secret research"


class TestVerificationOff:
    @pytest.fixture
    def site_config(self, site_config, tls_site):
        return {**site_config, "url": tls_site[0], "verify_tls": False}

    async def test_works_for_test_sites_but_not_silently(self, api):
        with pytest.warns(InsecureRequestWarning):
            assert (await api.get(""))["type"] == "directory"
