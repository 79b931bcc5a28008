"""A model's passed checks, kept in the workspace between runs (`runner.run_models`).

Checking a model before it runs (`checks.check_model`: sqlglot parses, qualifies and types the
query and traces its lineage) costs 0.05–0.2 s of CPU per model, at every run, for a result that
depends only on three things: the model's declaration, the declarations of the datasets it reads
and this program (its code and sqlglot's version). A passed check is kept as a file named by the
SHA-256 of all three, holding the other result a run needs from the same walk: the model's
deciding facts (`lineage.deciding_facts`). A change to any of them is another name, so the model
is checked again; a failed check is never kept.

The code is identified by the size and modification time of every source file of the package
(a few milliseconds of `stat` calls): any edit or reinstall counts as a change, never a false
hit. The folder is `<workspace>/.cache/model-checks`: its name begins with a dot, so a backup
leaves it out, and deleting it costs one slower run, nothing else. A file that cannot be read
or written is ignored (the check then runs as if nothing were kept).

Not kept: `models validate`, which a model's author runs to see every problem, checks afresh.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import sys
import threading
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

import sqlglot

from shujian.data.datasets import Dataset
from shujian.models.spec import ModelSpec

log = logging.getLogger(__name__)

FOLDER = Path(".cache") / "model-checks"
"""Where a workspace keeps its passed checks, inside its folder."""

PACKAGE = Path(__file__).resolve().parents[1]
"""The installed `shujian` package, whose source files identify the code."""

_SOURCE_SUFFIXES = (".py", ".yaml")

_LEFT_OUT = frozenset({"path", "source"})
"""Fields of a declaration that say where it was read from, not what it says: the same model
read from another folder is the same check."""


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """The program's identity as far as a check can tell: every source file's path, size and
    modification time, sqlglot's version and Python's."""
    digest = hashlib.sha256(f"{sqlglot.__version__}|{sys.version}".encode())
    for folder, subfolders, files in os.walk(PACKAGE):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(_SOURCE_SUFFIXES):
                stat = os.stat(os.path.join(folder, name))
                relative = os.path.relpath(os.path.join(folder, name), PACKAGE)
                digest.update(f"{relative}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class NotCanonical(TypeError):
    """A declaration holding a value without a canonical form: it is checked every time."""


def canonical(value: Any) -> Any:
    """A declaration as plain JSON data that is the same in every process (sets sorted,
    dataclasses by field, types named), for hashing."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "$": type(value).__name__,
            **{
                f.name: canonical(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in _LEFT_OUT
            },
        }
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"$float": repr(value)}
    if isinstance(value, Decimal | date | datetime | PurePath):
        return {"$" + type(value).__name__: str(value)}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return {"$set": sorted(json.dumps(canonical(v), sort_keys=True) for v in value)}
    if isinstance(value, Mapping):
        return {"$map": [[canonical(k), canonical(v)] for k, v in value.items()]}
    raise NotCanonical(type(value).__name__)


def key(spec: ModelSpec, datasets: Mapping[str, Dataset]) -> str | None:
    """The name a passed check of `spec` on `datasets` is kept under; None when a declaration
    cannot be put in canonical form (the model is then checked every time)."""
    try:
        read = [canonical(datasets[d]) if d in datasets else None for d in spec.datasets]
        text = json.dumps(
            {"code": code_digest(), "model": canonical(spec), "datasets": read},
            ensure_ascii=False,
            sort_keys=True,
        )
    except NotCanonical as error:
        log.info("model %s: no canonical form (%s), its checks are not kept", spec.id, error)
        return None
    return hashlib.sha256(text.encode()).hexdigest()


class CheckCache:
    """The passed checks kept in one workspace folder."""

    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER

    def passed(self, name: str | None) -> tuple[str, ...] | None:
        """The deciding facts kept with a passed check, or None when none is kept."""
        if name is None:
            return None
        try:
            kept = json.loads((self.folder / name).read_text(encoding="utf-8"))
            facts = kept["deciding"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
            return None
        return tuple(facts)

    def keep(self, name: str | None, deciding: tuple[str, ...]) -> None:
        """Keep a passed check (written whole or not at all)."""
        if name is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
            partial.write_text(json.dumps({"deciding": list(deciding)}), encoding="utf-8")
            os.replace(partial, self.folder / name)
        except OSError as error:
            log.warning("could not keep a passed model check in %s: %s", self.folder, error)


def verdict(spec: ModelSpec, datasets: Mapping[str, Dataset]) -> tuple[list[str], tuple[str, ...]]:
    """A model checked afresh: its problems (in Chinese) and, when it has none, its deciding
    facts (`lineage.deciding_facts`), what a passed check keeps."""
    from shujian.models.checks import check_model
    from shujian.models.lineage import deciding_facts

    problems = check_model(spec, datasets)
    return problems, () if problems else deciding_facts(spec, datasets)
