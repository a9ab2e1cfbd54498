"""``efss://``: fsspec's own abstract tests through a real Jupyter server and the local mesh,
with the token a real kernel received; the token's scope; streaming with bounded memory."""

from __future__ import annotations

import posixpath
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from fsspec.tests.abstract import (
    AbstractCopyTests,
    AbstractFixtures,
    AbstractGetTests,
    AbstractOpenTests,
    AbstractPipeTests,
    AbstractPutTests,
)
from kernel_helpers import KernelSession, Lang, Person, eventually, notebook_bytes

from cs3_jupyter.efss_fs import EFSSFileSystem

MB = 1_000_000


def kernel_environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


class Kernel:
    """A python kernel for a notebook on the EFSS, and what efss:// needs from its environment."""

    def __init__(self, person: Person, notebook: str = "nb.ipynb") -> None:
        person.dav.mkcol("Work") if "Work" not in person.names("") else None
        person.put(f"Work/{notebook}", notebook_bytes())
        # One kernel per notebook: a session for the same notebook would share it.
        self.session = KernelSession(person.server, f"Work/{notebook}", "python3")
        self.pid = int(self.session.run(Lang("python3").pid()).stdout)
        env = kernel_environment(self.pid)
        self.url, self.token = env["CS3_EFSS_URL"], env["CS3_EFSS_TOKEN"]

    def fs(self) -> EFSSFileSystem:
        return EFSSFileSystem(self.url, self.token, skip_instance_cache=True)


@pytest.fixture(scope="module")
def owner(person) -> Person:
    return person()


@pytest.fixture(scope="module")
def kernel(owner) -> Kernel:
    running = Kernel(owner)
    yield running
    running.session.close()


class EFSSFixtures(AbstractFixtures):
    @pytest.fixture
    def fs(self, kernel):
        return kernel.fs()

    @pytest.fixture
    def fs_join(self):
        return posixpath.join

    @pytest.fixture
    def fs_path(self, owner):
        folder = f"fsspec-{secrets.token_hex(3)}"
        owner.dav.mkcol(folder)
        return folder


class TestEFSSCopy(EFSSFixtures, AbstractCopyTests):
    pass


class TestEFSSGet(EFSSFixtures, AbstractGetTests):
    pass


class TestEFSSPut(EFSSFixtures, AbstractPutTests):
    pass


class TestEFSSOpen(EFSSFixtures, AbstractOpenTests):
    pass


class TestEFSSPipe(EFSSFixtures, AbstractPipeTests):
    pass


def test_efss_urls_work_in_a_kernel_through_the_entry_point(owner):
    kernel = Kernel(
        owner, "entry.ipynb"
    )  # a fresh websocket: an idle one is closed by the server's pings
    owner.put("Work/data ü #1.csv", "a,b\n1,2\n")
    out = kernel.session.run(
        "import fsspec\n"
        "with fsspec.open('efss://Work/data ü #1.csv', 'rt') as f:\n"
        "    print(f.read(), end='')\n"
        "with fsspec.open('efss://Work/out/written.txt', 'wt') as f:\n"
        "    f.write('from the kernel')\n"
    )
    kernel.session.close()
    assert out.stdout == "a,b\n1,2\n", out
    assert owner.text("Work/out/written.txt") == "from the kernel"


def test_the_kernel_token_opens_only_the_file_routes_and_ends_with_the_kernel(owner, person):
    other = Kernel(owner, "scope.ipynb")
    header = {"Authorization": f"CS3-Kernel {other.token}"}
    base = other.url
    assert (
        requests.get(
            f"{base}cs3/api/efss/stat", params={"path": "Work"}, headers=header, timeout=30
        ).status_code
        == 200
    )
    for scheme in ("CS3-Kernel", "token", "Bearer"):
        auth = {"Authorization": f"{scheme} {other.token}"}
        for route in ("api/contents/Work", "cs3/api/whoami", "api/kernels", "cs3/api/config"):
            answer = requests.get(base + route, headers=auth, timeout=30)
            assert answer.status_code == 403, (scheme, route, answer.status_code)
    # The server's own token (a logged-in user) does not open the kernel routes either.
    user = {"Authorization": f"token {owner.server.token}"}
    assert (
        requests.get(
            f"{base}cs3/api/efss/stat", params={"path": "Work"}, headers=user, timeout=30
        ).status_code
        == 403
    )
    other.session.close()
    eventually(
        lambda: (
            requests.get(
                f"{base}cs3/api/efss/stat", params={"path": "Work"}, headers=header, timeout=30
            ).status_code
            == 403
        ),
        "token revoked at kernel shutdown",
    )


READER = textwrap.dedent(
    """
    import json, sys
    from cs3_jupyter.efss_fs import EFSSFileSystem

    def rss(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) * 1024

    fs = EFSSFileSystem(sys.argv[1], sys.argv[2])
    fs.info(sys.argv[3])
    before = rss("VmRSS:")
    total = 0
    with fs.open(sys.argv[3], "rb") as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
    print(json.dumps({"bytes": total, "added": rss("VmHWM:") - before}))
    """
)


def _server_peak(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _server_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_a_200_mb_read_streams_with_bounded_memory_in_kernel_and_server(owner, kernel):
    size = 200 * MB
    block = bytes(range(256)) * 4096
    owner.dav.put(
        "Work/big.bin", (block[: min(len(block), size - i)] for i in range(0, size, len(block)))
    )
    server_pid = owner.server.process.pid
    Path(f"/proc/{server_pid}/clear_refs").write_text("5")  # reset the server's peak RSS
    server_before = _server_rss(server_pid)
    done = subprocess.run(
        [sys.executable, "-c", READER, kernel.url, kernel.token, "Work/big.bin"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = __import__("json").loads(done.stdout)
    assert result["bytes"] == size
    assert result["added"] < 64 * MB, result
    assert _server_peak(server_pid) - server_before < 64 * MB
