"""A workspace's secret files (the session signing key, the minors' reference key): made once,
readable by their owner only, then read.

Written aside, then linked into place: another process starting at the same moment either links
first (and its secret is used) or finds this one complete; never half a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in `path`, made by `make()` when the file does not exist (mode 0600; a file
    readable by others is narrowed to 0600)."""
    if not path.exists():
        fresh = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(make())
        try:
            os.link(fresh, path)
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()
