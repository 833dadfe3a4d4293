"""``python -m paradigms`` (and ``torchrun -m paradigms``): the ``paradigms`` command."""

import sys

from paradigms.cli import main

if __name__ == "__main__":
    sys.exit(main())
