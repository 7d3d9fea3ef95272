"""``python -m vcp``."""

import sys

from vcp.cli.main import main

sys.exit(main())
