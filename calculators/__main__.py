"""``python -m calculators``: the command line."""

import sys

from calculators.cli import main

sys.exit(main())
