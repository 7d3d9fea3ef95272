"""``python -m vcp``."""

import sys

try:
    from vcp.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while the command is still importing: quiet, as later
    sys.stderr.write("interrupted\n")
    sys.exit(130)

sys.exit(main())
