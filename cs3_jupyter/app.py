"""The Jupyter server extension: settings, the contents-manager switch, our REST namespace."""

from __future__ import annotations

from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, default

from ._version import __version__
from .config import CS3Site
from .dav.client import DavClient
from .handlers import api_handlers
from .handlers.sharing_base import SERVICE_KEY
from .sharing.directory import MeshDirectory
from .sharing.http import SiteHTTP
from .sharing.ocm import Discovery
from .sharing.service import SharingService
from .transport.auth import make_auth

#: Every route of our REST namespace lives below this prefix (after the server's base_url).
API_PREFIX = "/cs3/api"


class CS3JupyterApp(ExtensionApp):
    """Registers the cs3_jupyter REST API and, when a site is configured, the contents manager."""

    name = "cs3_jupyter"
    load_other_extensions = True
    classes = [CS3Site]

    manage_contents = Bool(
        help="Make the EFSS site the server's file system by setting "
        "ServerApp.contents_manager_class to cs3_jupyter.CS3ContentsManager. Defaults to True "
        "when a site is configured (CS3Site.url and CS3Site.user), so installing the package "
        "alone never takes a working local setup away. Environment: CS3_MANAGE_CONTENTS.",
    ).tag(config=True)

    @default("manage_contents")
    def _default_manage_contents(self) -> bool:
        import os

        env = os.environ.get("CS3_MANAGE_CONTENTS")
        if env is not None:
            return env.strip().lower() not in {"0", "false", "no", "off", ""}
        return CS3Site(config=self.config).configured

    manage_kernels = Bool(
        help="Run kernels through cs3_jupyter.kernels: a synced working copy of an EFSS "
        "notebook's folder as their working directory, no EFSS secret in their environment and "
        "efss:// file access through this server (docs/kernels.md). Defaults to True when a "
        "site is configured. Environment: CS3_MANAGE_KERNELS.",
    ).tag(config=True)

    @default("manage_kernels")
    def _default_manage_kernels(self) -> bool:
        import os

        env = os.environ.get("CS3_MANAGE_KERNELS")
        if env is not None:
            return env.strip().lower() not in {"0", "false", "no", "off", ""}
        return CS3Site(config=self.config).configured

    def _link_jupyter_server_extension(self, serverapp: Any) -> None:
        super()._link_jupyter_server_extension(serverapp)
        # The link step runs before the server builds its contents manager, so this is the
        # one place where an extension enabled by JSON config alone can still choose it.
        if self.manage_contents:
            from .contents.manager import CS3ContentsManager

            serverapp.contents_manager_class = CS3ContentsManager
        if self.manage_kernels:
            from .kernels.hook import use_cs3_kernels

            use_cs3_kernels(serverapp, self.log)

    def initialize_settings(self) -> None:
        site = CS3Site(config=self.config)
        self.settings["cs3_site"] = site
        self.settings["cs3_version"] = __version__
        # Kernel file tokens (efss://) are issued by our kernel manager, when it is in use.
        kernel_manager = getattr(self.serverapp, "kernel_manager", None)
        self.settings["cs3_kernel_tokens"] = getattr(kernel_manager, "file_tokens", None)
        # The server's contents manager exists by now: sharing reuses its WebDAV client.
        contents_manager = getattr(self.serverapp, "contents_manager", None)
        self.settings[SERVICE_KEY] = build_sharing(site, contents_manager)

    def initialize_handlers(self) -> None:
        self.handlers.extend(
            (API_PREFIX + route, handler, kwargs) for route, handler, kwargs in api_handlers()
        )

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Kernels' working copies left by a server that died are recovered now, in a worker
        thread: not earlier, because the kernel manager is built before the contents manager
        whose WebDAV client they need, and not at the first kernel start, so the files are on
        the EFSS even if the user starts no kernel."""
        from .kernels.manager import CS3KernelManager

        manager = getattr(serverapp, "kernel_manager", None)
        if isinstance(manager, CS3KernelManager):
            manager.recover_left_copies()

    async def stop_extension(self) -> None:
        """Chunked uploads still open when the server stops are aborted on the site."""
        from .contents.manager import CS3ContentsManager

        manager = getattr(self.serverapp, "contents_manager", None)
        if isinstance(manager, CS3ContentsManager):
            await manager.close()


def build_sharing(site: CS3Site, contents_manager: Any) -> SharingService | None:
    """The sharing service for the configured site and user; None when none is configured.

    When the server's files come from the same site (our contents manager), its WebDAV
    client is reused, and with it the credential, so a refreshed token file is seen by both;
    the transport gives both one connection pool and one login cookie per site and user.
    """
    if not site.configured:
        return None
    verify: bool | str = site.ca_bundle or site.verify_tls
    limits = site.limits()
    dav = getattr(contents_manager, "client", None)
    if not (isinstance(dav, DavClient) and (dav.site_url, dav.user) == (site.url, site.user)):
        auth = make_auth(
            site.user, password=site.password, token=site.token, token_file=site.token_file
        )
        dav = DavClient(
            site.url, site.user, auth, files_root=site.webdav_root, verify=verify, limits=limits
        )
    http = SiteHTTP(site.url, site.user, dav.auth, verify=verify, limits=limits)
    return SharingService.build(
        http,
        dav,
        MeshDirectory(
            site.mesh_directory_url,
            tuple(site.mesh_sites),
            ttl=site.mesh_directory_ttl,
            verify=verify,
            limits=limits,
        ),
        Discovery(verify=verify, limits=limits),
    )
