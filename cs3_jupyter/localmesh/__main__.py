"""``python -m cs3_jupyter.localmesh`` = the ``cs3-localmesh`` command."""

from .cli import main

raise SystemExit(main())
