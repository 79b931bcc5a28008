"""A minor's reference (编号): what a page address or a list shows instead of the ID number.

A page of one minor needs an address, and an address with the ID number in it would show the
number whole in the address bar, the browser's history and the server's log, whatever the page
masks. The reference is the first 16 hex digits of SHA-256 over a secret of the workspace and the
number: the same minor always has the same reference (bookmarks work, a re-import changes
nothing), and without the secret a reference cannot be traced back, not even by trying every
possible number of a county. The secret is a file of the workspace, made once, readable by its
owner only (`ref_key`).

Resolving a reference back to a number is a lookup among the numbers a user may see: a helper's
granted minors (a few hundred, hashed in Python), or the register's numbers (hashed by DuckDB,
`service.Register.resolve_ref`), remembered per process for the references lists have shown.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import OrderedDict
from pathlib import Path

from shujian import keyfile

KEY_FILE = "minor-ref.key"
REF_LENGTH = 16
REF_SHAPE = re.compile(rf"^[0-9a-f]{{{REF_LENGTH}}}$")


def ref_key(root: Path) -> str:
    """The workspace's reference secret: made once (0600), then read."""
    return keyfile.secret(root / KEY_FILE, lambda: secrets.token_hex(32))


def minor_ref(key: str, id_card: str) -> str:
    """The reference of one minor (`sha256(key || id)`, as DuckDB computes it too)."""
    return hashlib.sha256((key + id_card).encode("ascii")).hexdigest()[:REF_LENGTH]


def is_ref(text: str) -> bool:
    return bool(REF_SHAPE.fullmatch(text or ""))


class Remembered:
    """References shown lately → their numbers (per process, the newest `size` kept)."""

    def __init__(self, size: int = 200_000) -> None:
        self.size = size
        self._known: OrderedDict[tuple[str, str], str] = OrderedDict()

    def add(self, key: str, ref: str, id_card: str) -> None:
        self._known[(key, ref)] = id_card
        self._known.move_to_end((key, ref))
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def get(self, key: str, ref: str) -> str | None:
        return self._known.get((key, ref))

    def clear(self) -> None:
        self._known.clear()


REMEMBERED = Remembered()
