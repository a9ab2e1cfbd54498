"""Our REST namespace (``/cs3/api/...``), described in ``openapi.yaml`` beside this file.

Each resource has its own module; :func:`api_handlers` is the single list of routes, so the
OpenAPI test can compare the file with what is really served. Path parameters are named
groups ``(?P<name>[^/]+)`` whose names are the OpenAPI parameter names.
"""

from __future__ import annotations

from typing import Any

from .config import ConfigHandler
from .contacts import ContactHandler, ContactsHandler
from .efss import (
    EfssFileHandler,
    EfssFolderHandler,
    EfssListHandler,
    EfssStatHandler,
    EfssTransferHandler,
)
from .info import VersionHandler
from .invitations import AcceptInvitationHandler, InvitationsHandler
from .mesh import MeshSitesHandler
from .received import AcceptHandler, DeclineHandler, ReceivedHandler
from .recipients import RecipientsHandler
from .shares import ShareHandler, SharesHandler
from .whoami import WhoAmIHandler

_SEGMENT = "[^/]+"


def _param(name: str) -> str:
    return f"(?P<{name}>{_SEGMENT})"


def api_handlers() -> list[tuple[str, type, dict[str, Any]]]:
    """All routes, relative to ``/cs3/api``."""
    return [
        ("/version", VersionHandler, {}),
        ("/config", ConfigHandler, {}),
        ("/whoami", WhoAmIHandler, {}),
        ("/mesh/sites", MeshSitesHandler, {}),
        ("/shares", SharesHandler, {}),
        (f"/shares/{_param('id')}", ShareHandler, {}),
        ("/received", ReceivedHandler, {}),
        (f"/received/{_param('id')}/accept", AcceptHandler, {}),
        (f"/received/{_param('id')}/decline", DeclineHandler, {}),
        ("/recipients", RecipientsHandler, {}),
        ("/contacts", ContactsHandler, {}),
        (f"/contacts/{_param('site')}/{_param('user')}", ContactHandler, {}),
        ("/invitations", InvitationsHandler, {}),
        ("/invitations/accept", AcceptInvitationHandler, {}),
        # File access for kernels (efss://), by kernel token only.
        ("/efss/file", EfssFileHandler, {}),
        ("/efss/stat", EfssStatHandler, {}),
        ("/efss/list", EfssListHandler, {}),
        ("/efss/folder", EfssFolderHandler, {}),
        ("/efss/move", EfssTransferHandler, {"method": "move"}),
        ("/efss/copy", EfssTransferHandler, {"method": "copy"}),
    ]
