"""No lost update when two JupyterLab tabs on two Jupyter servers edit one file at once.

Each client runs JupyterLab's save flow through the REST API, as fast as it can: load the
file (with its ``hash``), change it, check it (a model without content, with ``hash``), save,
then note the ``hash`` of what it saved. A save the server accepts must survive: every line
a client was told it saved (200) is in the file at the end. A conflict (409, or a changed
``hash`` at the check) makes the client reload, as the user would after JupyterLab's File
Changed dialog. With ``hash`` the save carries the version the client loaded (what our
labextension sends); without, only each server's own guard protects it (JupyterLab < 4.1).

The mesh keeps ETags as Nextcloud 32 does (a second write within one second keeps the ETag)
or, with the ``etag-every-write`` variant, as Reva does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import requests
from jupyter_process import JupyterProcess, launch, server_config

SAVES = 200


@dataclass
class Tab:
    """One JupyterLab tab: a REST client of one server, and what it was told it saved."""

    server: JupyterProcess
    name: str
    send_hash: bool
    saved_lines: list[str] = field(default_factory=list)
    saves: int = 0
    conflicts: int = 0

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.server.url}api/contents/{quote(path)}"
        headers = {"Authorization": f"token {self.server.token}"}
        return self.server.http.request(method, url, headers=headers, timeout=60, **kwargs)

    def load(self, path: str) -> tuple[list[str], str]:
        response = self._call("GET", path, params={"type": "file", "format": "text", "hash": 1})
        assert response.status_code == 200, response.text
        model = response.json()
        return model["content"].splitlines(), model["hash"]

    def check(self, path: str) -> str:
        response = self._call("GET", path, params={"content": 0, "hash": 1})
        assert response.status_code == 200, response.text
        return response.json()["hash"]

    def run(self, path: str, quota: threading.Semaphore, errors: list[str]) -> None:
        try:
            self._edit(path, quota)
        except Exception as err:  # reported by the test, never lost in a thread
            errors.append(f"{self.name}: {err!r}")

    def _edit(self, path: str, quota: threading.Semaphore) -> None:
        lines, loaded = self.load(path)
        while quota.acquire(blocking=False):
            line = f"{self.name} save {self.saves}"
            if self.check(path) != loaded:
                quota.release()  # File Changed: reload, then try again
                self.conflicts += 1
                lines, loaded = self.load(path)
                continue
            model: dict[str, Any] = {
                "type": "file",
                "format": "text",
                "content": "\n".join([*lines, line]) + "\n",
            }
            if self.send_hash:
                model["hash"] = loaded
            response = self._call("PUT", path, json=model)
            if response.status_code == 409:
                quota.release()
                self.conflicts += 1
                lines, loaded = self.load(path)
                continue
            assert response.status_code == 200, response.text
            lines.append(line)
            self.saved_lines.append(line)
            self.saves += 1
            # The version the tab holds now is the one it saved: the answer names it (what our
            # labextension keeps). JupyterLab itself asks again after the save; without a hash
            # sent, that answer only feeds its next check.
            loaded = response.json()["hash"] if self.send_hash else self.check(path)


@pytest.fixture(scope="module")
def two_servers(mesh: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One user, two Jupyter servers (two hub sessions, or a hub and a laptop)."""
    user = mesh.add_user("a", f"busy-{os.urandom(3).hex()}")
    servers = []
    for n in (1, 2):
        config = server_config()
        started = launch(
            tmp_path_factory.mktemp(f"busy-server-{n}"),
            app="jupyter_server",
            config=config,
            token=f"busy-{n}-{os.urandom(8).hex()}",
            site_url=mesh.site("a").url,
            user=user.user,
            password=user.app_password,
            directory_url=mesh.directory_url,
        )
        servers.append(JupyterProcess(**started))
    yield user, servers
    for server in servers:
        server.stop()


@pytest.mark.parametrize("send_hash", [True, False], ids=["with-hash", "server-guard-only"])
@pytest.mark.parametrize("etags", ["nextcloud", "etag-every-write"])
def test_read_modify_write_from_two_servers_loses_no_save(mesh, two_servers, send_hash, etags):
    _user, servers = two_servers
    if etags != "nextcloud":
        mesh.set_fault("a", "variant", name=etags)
    path = f"shared-{etags}-{send_hash}.txt"
    first = Tab(servers[0], "A", send_hash)
    created = first._call("PUT", path, json={"type": "file", "format": "text", "content": ""})
    assert created.status_code == 201, created.text
    tabs = [first, Tab(servers[1], "B", send_hash)]
    quota = threading.Semaphore(SAVES)
    errors: list[str] = []
    try:
        threads = [threading.Thread(target=tab.run, args=(path, quota, errors)) for tab in tabs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
    finally:
        mesh.clear_faults("a")
    assert errors == []
    assert sum(tab.saves for tab in tabs) == SAVES
    final, _ = tabs[0].load(path)
    lost = [line for tab in tabs for line in tab.saved_lines if line not in final]
    assert lost == [], f"{len(lost)} of {SAVES} acknowledged saves lost"
    assert len(final) == SAVES  # nothing saved twice either
    print(f"\n{etags}, hash={send_hash}: conflicts {[tab.conflicts for tab in tabs]}")
