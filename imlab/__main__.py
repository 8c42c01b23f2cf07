"""``python -m imlab …`` (see :mod:`imlab.cli`)."""

from imlab.cli import main

raise SystemExit(main())
