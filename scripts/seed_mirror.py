"""Build the mirror's default repos in DIR from the installed model packages.

    python scripts/seed_mirror.py DIR
    vcp mirror serve --root DIR --port 8080

Blobs are hard links to the package files where possible: seeding is fast and takes no space.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from vcp.cli.exit_codes import exit_code
from vcp.errors import VcpError
from vcp.mirror import seed_default_models


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the folder named on the command line; print each repo and its commit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, metavar="DIR", help="folder to build (created)")
    args = parser.parse_args(argv)
    try:
        built = seed_default_models(args.root)
    except VcpError as exc:
        sys.stderr.write(f"error: {exc}\nhint: {exc.hint}\n")
        return exit_code(exc)
    for repo_id, commit in built.items():
        print(f"{repo_id} @ {commit}")
    print(f"seeded {args.root}; serve it with: vcp mirror serve --root {args.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
