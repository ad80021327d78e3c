"""``python -m polaris``."""

import sys

from polaris.main import main

sys.exit(main())
