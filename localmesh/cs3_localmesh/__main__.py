"""``python -m cs3_localmesh`` = the ``cs3-localmesh`` command."""

from .cli import main

raise SystemExit(main())
