"""``python -m boolfourier`` is the ``boolfourier`` command."""

from .cli import main

raise SystemExit(main())
