"""Helpers of the kernel tests: a real Jupyter server per test user, real kernels (ipykernel
and the non-IPython ``minish`` kernel beside this file) and a websocket client that talks the
Jupyter protocol to them through the server, as JupyterLab does."""

from __future__ import annotations

import json
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket
from cs3_localmesh.mesh import Mesh
from cs3_localmesh.users import UserInfo
from jupyter_process import JupyterProcess, launch, server_config

from cs3_jupyter.dav.client import DavClient

HERE = Path(__file__).parent
KERNELS = ("python3", "minish")


@dataclass
class Output:
    """What one execution sent back."""

    stdout: str = ""
    stderr: str = ""
    reply: dict[str, Any] = field(default_factory=dict)
    #: Message types in arrival order (to check what came before the final idle).
    order: list[str] = field(default_factory=list)


class KernelSession:
    """A notebook session and its kernel, driven over the server's kernel websocket."""

    def __init__(self, server: JupyterProcess, notebook: str, kernel: str) -> None:
        self.server = server
        response = server.http.post(
            server.url + "api/sessions",
            json={"path": notebook, "type": "notebook", "name": "", "kernel": {"name": kernel}},
            headers={"Authorization": f"token {server.token}"},
            timeout=120,
        )
        assert response.status_code == 201, response.text
        self.session_id = response.json()["id"]
        self.kernel_id = response.json()["kernel"]["id"]
        self.client_session = uuid.uuid4().hex
        url = server.url.replace("http://", "ws://")
        self.ws = websocket.create_connection(
            f"{url}api/kernels/{self.kernel_id}/channels?session_id={self.client_session}",
            header=[f"Authorization: token {server.token}"],
            timeout=120,
        )

    def send(self, code: str) -> str:
        return self.send_shell(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )

    def send_shell(self, msg_type: str, content: dict[str, Any]) -> str:
        """Send one shell request as JupyterLab does; returns its msg_id."""
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": msg_type,
                "username": "test",
                "session": self.client_session,
                "version": "5.3",
                "date": "2026-01-01T00:00:00Z",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
        self.ws.send(json.dumps(message))
        return msg_id

    def open_comm(self, target: str) -> str:
        """Open a comm to ``target`` (as a widget's model does); returns its comm_id."""
        comm_id = uuid.uuid4().hex
        self.wait_idle(
            self.send_shell("comm_open", {"comm_id": comm_id, "target_name": target, "data": {}})
        )
        return comm_id

    def comm_send(self, comm_id: str, data: dict[str, Any]) -> str:
        """A ``comm_msg`` (a widget's button click or slider move); returns its msg_id."""
        return self.send_shell("comm_msg", {"comm_id": comm_id, "data": data})

    def wait_idle(self, msg_id: str) -> None:
        """Wait for the kernel's idle status after the request ``msg_id``."""
        while True:
            msg = json.loads(self.ws.recv())
            if (
                msg.get("parent_header", {}).get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                return

    def collect(self, msg_id: str, until_input: bool = False) -> Output:
        """Messages of one execution until its idle status (or until its execute_input)."""
        out = Output()
        got_reply = got_idle = False
        while not (got_reply and got_idle):
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            out.order.append(kind)
            if kind == "stream":
                setattr(
                    out,
                    msg["content"]["name"],
                    getattr(out, msg["content"]["name"]) + msg["content"]["text"],
                )
            elif kind == "error":
                out.stderr += "\n".join(msg["content"]["traceback"])
            elif kind == "execute_reply":
                out.reply, got_reply = msg["content"], True
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                got_idle = True
            elif kind == "execute_input" and until_input:
                return out
        return out

    def run(self, code: str) -> Output:
        return self.collect(self.send(code))

    def close(self) -> None:
        self.ws.close()
        self.server.http.delete(
            f"{self.server.url}api/sessions/{self.session_id}",
            headers={"Authorization": f"token {self.server.token}"},
            timeout=120,
        )


class Lang:
    """The same file operations written in each kernel's language."""

    def __init__(self, kernel: str) -> None:
        self.kernel = kernel
        self.python = kernel == "python3"

    def read(self, path: str) -> str:
        if self.python:
            return f"print(open({path!r}, encoding='utf-8').read(), end='')"
        return f"cat {_sh(path)}"

    def write(self, path: str, text: str) -> str:
        if self.python:
            return f"open({path!r}, 'w', encoding='utf-8').write({text!r})"
        return f"printf '%s' {_sh(text)} > {_sh(path)}"

    def later_write(self, path: str, text: str, seconds: float) -> str:
        """Write after the execution has ended (a background thread / process)."""
        if self.python:
            return (
                "import threading\n"
                f"threading.Timer({seconds}, lambda: open({path!r}, 'w').write({text!r})).start()"
            )
        return f"(sleep {seconds}; printf '%s' {_sh(text)} > {_sh(path)}) >/dev/null 2>&1 &"

    def slow_write(self, path: str, text: str, seconds: float) -> str:
        if self.python:
            return f"import time\ntime.sleep({seconds})\nopen({path!r}, 'w').write({text!r})"
        return f"sleep {seconds}; printf '%s' {_sh(text)} > {_sh(path)}"

    def delete(self, path: str) -> str:
        return f"import os\nos.remove({path!r})" if self.python else f"rm {_sh(path)}"

    def mkdir(self, path: str) -> str:
        return f"import os\nos.makedirs({path!r})" if self.python else f"mkdir -p {_sh(path)}"

    def exists(self, path: str) -> str:
        if self.python:
            return f"import os\nprint(os.path.exists({path!r}))"
        return f"test -e {_sh(path)} && echo True || echo False"

    def cwd(self) -> str:
        return "import os\nprint(os.getcwd())" if self.python else "pwd -P"

    def comm_target(self, name: str) -> str:
        """A cell registering comm target ``name`` that runs each message's ``code`` (in the
        kernel's language): a stand-in for a widget whose callback writes files. ``minish``
        runs a comm message's ``code`` by itself."""
        if not self.python:
            return "true"
        return (
            "import comm\n"
            "def _target(channel, _open):\n"
            "    channel.on_msg(lambda msg: exec(msg['content']['data']['code'], {}))\n"
            f"comm.get_comm_manager().register_target({name!r}, _target)"
        )

    def pid(self) -> str:
        """The kernel process's pid."""
        return "import os\nprint(os.getpid())" if self.python else "echo $PPID"


def _sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@dataclass
class Person:
    info: UserInfo
    server: JupyterProcess
    dav: DavClient
    base: Path

    def put(self, path: str, text: str | bytes) -> None:
        self.dav.put(path, text.encode() if isinstance(text, str) else text)

    def text(self, path: str) -> str:
        return self.dav.download(path)[0].decode()

    def names(self, folder: str) -> set[str]:
        return {entry.name for entry in self.dav.listdir(folder)[1]}


def write_kernelspec(data_dir: Path) -> None:
    spec = data_dir / "kernels" / "minish"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(HERE / "minish_kernel.py"), "-f", "{connection_file}"],
                "display_name": "Mini sh (not IPython)",
                "language": "sh",
            }
        )
    )


def start_server(
    mesh: Mesh, base: Path, info: UserInfo, site: str = "a", kernel_config: dict | None = None
) -> JupyterProcess:
    write_kernelspec(base / "data")
    config = server_config(
        CS3KernelManager={"working_copy_dir": str(base / "working-copies"), **(kernel_config or {})}
    )
    started = launch(
        base,
        app="jupyter_server",
        config=config,
        token=secrets.token_hex(16),
        site_url=mesh.site(site).url,
        user=info.user,
        password=info.app_password or info.password,
        directory_url=mesh.directory_url,
    )
    server = JupyterProcess(**started)
    assert server.url
    return server


def notebook_bytes() -> bytes:
    return json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def eventually(check: Callable[[], bool], what: str, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)
