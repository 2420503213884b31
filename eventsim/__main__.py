"""``python -m eventsim``: the same as the ``eventsim`` command."""

import sys

from eventsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
