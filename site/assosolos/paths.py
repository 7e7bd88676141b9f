"""Import-path setup shared by the ASGI and WSGI entry points."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def add_source_folders() -> None:
    """Put the repository root and site/ on sys.path (site/ is not a package)."""
    for path in (ROOT, ROOT / "site"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
