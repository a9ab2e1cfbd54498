"""A minimal Jupyter kernel for the language ``sh``, with no IPython anywhere in it.

It speaks the Jupyter messaging protocol through jupyter_client's ``Session`` (signing and
framing only) and runs each cell with ``/bin/sh -c`` in its working directory. The tests use
it to prove that the working-copy sync hooks the server's message flow, not a kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import zmq
from jupyter_client.session import Session


def main() -> None:
    config = json.loads(open(sys.argv[sys.argv.index("-f") + 1]).read())
    session = Session(key=config["key"].encode(), signature_scheme=config["signature_scheme"])
    context = zmq.Context()

    def bind(kind: int, port_name: str) -> zmq.Socket:
        sock = context.socket(kind)
        sock.bind(f"{config['transport']}://{config['ip']}:{config[port_name]}")
        return sock

    shell, control = bind(zmq.ROUTER, "shell_port"), bind(zmq.ROUTER, "control_port")
    iopub, stdin, heartbeat = (
        bind(zmq.PUB, "iopub_port"),
        bind(zmq.ROUTER, "stdin_port"),
        bind(zmq.REP, "hb_port"),
    )
    threading.Thread(target=lambda: zmq.proxy(heartbeat, heartbeat), daemon=True).start()
    count = 0

    def status(state: str, parent: dict) -> None:
        session.send(iopub, "status", {"execution_state": state}, parent=parent)

    poller = zmq.Poller()
    for sock in (shell, control, stdin):
        poller.register(sock, zmq.POLLIN)
    while True:
        for sock, _ in poller.poll():
            idents, frames = session.feed_identities(sock.recv_multipart())
            msg = session.deserialize(frames)
            kind = msg["header"]["msg_type"]
            status("busy", msg)
            if kind == "kernel_info_request":
                reply = {
                    "status": "ok",
                    "protocol_version": "5.3",
                    "implementation": "minish",
                    "implementation_version": "0.1",
                    "language_info": {
                        "name": "sh",
                        "mimetype": "text/x-sh",
                        "file_extension": ".sh",
                    },
                    "banner": "minish",
                }
            elif kind == "execute_request":
                count += 1
                code = msg["content"]["code"]
                session.send(
                    iopub, "execute_input", {"code": code, "execution_count": count}, parent=msg
                )
                done = subprocess.run(
                    ["/bin/sh", "-c", code], capture_output=True, text=True, cwd=os.getcwd()
                )
                for name, text in (("stdout", done.stdout), ("stderr", done.stderr)):
                    if text:
                        session.send(iopub, "stream", {"name": name, "text": text}, parent=msg)
                reply = {"status": "ok", "execution_count": count, "user_expressions": {}}
            elif kind in ("comm_open", "comm_msg", "comm_close"):
                # Every comm is a callback running the ``code`` it is sent (no reply, as in
                # ipykernel): what a widget's button or slider does in an IPython kernel.
                code = (msg["content"].get("data") or {}).get("code")
                if code:
                    subprocess.run(["/bin/sh", "-c", code], capture_output=True, cwd=os.getcwd())
                status("idle", msg)
                continue
            elif kind == "shutdown_request":
                session.send(sock, "shutdown_reply", msg["content"], parent=msg, ident=idents)
                status("idle", msg)
                return
            else:
                reply = {"status": "ok"}
            session.send(sock, kind.replace("_request", "_reply"), reply, parent=msg, ident=idents)
            status("idle", msg)


if __name__ == "__main__":
    main()
