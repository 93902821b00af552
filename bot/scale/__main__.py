"""`python -m bot.scale`: the same as `python -m bot scale` (see `bot.scale.cli`)."""

import sys

from bot.scale.cli import main

if __name__ == "__main__":
    sys.exit(main())
