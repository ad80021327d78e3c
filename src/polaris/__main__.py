"""``python -m polaris``."""

import sys

from polaris.cli.main import main

sys.exit(main())
