"""A desktop-sync-client-like engine for one folder: WebDAV on one side, a local folder on the
other. No Jupyter imports: it is plain blocking code, run in worker threads by the glue."""

from .workingcopy import Caps, SyncReport, WorkingCopy

__all__ = ["Caps", "SyncReport", "WorkingCopy"]
