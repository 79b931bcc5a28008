"""The figures of the juvenile statistics, declared in `figures.yaml`: loaded and checked here.

A figure says what it counts (a minor, a minor on a day, a minor in a month, a record, or a rate
of two figures), whether it is a state on a day or events dated in the period, where its facts
come from (readers of `statistics.py` with their values) and its definition in Chinese. A figure
whose records do not exist yet is declared `pending`: listed as waiting, never a column — so the
part of the platform that brings those records adds its figures by declaration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shujian import yamlfile

FIGURES_FILE = Path(__file__).with_name("figures.yaml")

COUNTS = {
    "minors": "人",
    "minor_days": "人次",
    "minor_months": "人次",
    "records": "次",
    "rate": "%",
}
"""What a figure counts, and the unit a reader sees."""


@dataclass(frozen=True)
class Source:
    """One source of a figure's facts: a reader of `statistics.READERS` and its values."""

    reader: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    count: str
    counted: str
    as_of: bool = False
    sources: tuple[Source, ...] = ()
    rate: tuple[str, str] | None = None
    needs: str | None = None
    pending: str = ""
    later: str = ""

    @property
    def unit(self) -> str:
        return COUNTS[self.count]

    @property
    def definition(self) -> str:
        """What a reader is told: how it is counted, and the source still to come."""
        return self.counted + (f"（{self.later}。）" if self.later else "")

    @property
    def is_rate(self) -> bool:
        return self.count == "rate"


@dataclass(frozen=True)
class Declaration:
    figures: tuple[Figure, ...]
    warning_models: tuple[str, ...]

    @property
    def counted(self) -> tuple[Figure, ...]:
        """The figures counted now (in column order)."""
        return tuple(f for f in self.figures if not f.pending)

    @property
    def pending(self) -> tuple[Figure, ...]:
        """The figures waiting for records the platform does not keep yet."""
        return tuple(f for f in self.figures if f.pending)

    def figure(self, figure_id: str) -> Figure:
        for f in self.figures:
            if f.id == figure_id:
                return f
        raise KeyError(figure_id)


class DeclarationError(ValueError):
    """A figures file that does not say what it must (a programming error, not a user's)."""


_FOLD = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def _text(value: object) -> str:
    """A definition as written over several YAML lines: the spaces the folding left beside
    Chinese characters removed (Chinese has no spaces between words)."""
    return _FOLD.sub("", " ".join(str(value).split()))


def _figure(raw: dict[str, Any]) -> Figure:
    where = f"figure {raw.get('id')!r}"
    unknown = set(raw) - {
        "id",
        "label",
        "count",
        "counted",
        "as_of",
        "sources",
        "rate",
        "needs",
        "pending",
        "later",
    }
    if unknown:
        raise DeclarationError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "label", "count", "counted"):
        if not raw.get(key):
            raise DeclarationError(f"{where}: `{key}` missing")
    if raw["count"] not in COUNTS:
        raise DeclarationError(f"{where}: count {raw['count']!r} is not one of {list(COUNTS)}")
    sources = tuple(
        Source(str(s["reader"]), tuple(str(v) for v in s.get("values") or ()))
        for s in raw.get("sources") or ()
    )
    rate = raw.get("rate")
    figure = Figure(
        id=str(raw["id"]),
        label=str(raw["label"]),
        count=str(raw["count"]),
        counted=_text(raw["counted"]),
        as_of=bool(raw.get("as_of", False)),
        sources=sources,
        rate=(str(rate[0]), str(rate[1])) if rate else None,
        needs=raw.get("needs"),
        pending=str(raw.get("pending") or ""),
        later=str(raw.get("later") or ""),
    )
    if figure.pending and (figure.sources or figure.rate):
        raise DeclarationError(f"{where}: a pending figure has no sources yet")
    if figure.is_rate != bool(figure.rate):
        raise DeclarationError(f"{where}: `rate: [numerator, denominator]` goes with count rate")
    if figure.as_of and figure.count != "minors":
        raise DeclarationError(f"{where}: a state on a day (as_of) counts minors")
    if not figure.pending and not figure.is_rate and not figure.sources:
        raise DeclarationError(f"{where}: no sources (declare `pending:` if it waits for some)")
    return figure


def parse(raw: dict[str, Any]) -> Declaration:
    """A declaration from the YAML's mapping, checked: ids unique, a rate's figures declared
    before it, counted now and needing no other action than it."""
    figures = tuple(_figure(f) for f in raw.get("figures") or ())
    seen: dict[str, Figure] = {}
    for f in figures:
        if f.id in seen:
            raise DeclarationError(f"figure {f.id!r} declared twice")
        if f.rate:
            for part in f.rate:
                other = seen.get(part)
                if other is None or other.pending or other.is_rate:
                    raise DeclarationError(
                        f"figure {f.id!r}: {part!r} must be a counted figure declared before it"
                    )
                if other.needs != f.needs:
                    raise DeclarationError(f"figure {f.id!r}: {part!r} needs another action")
        seen[f.id] = f
    return Declaration(figures, tuple(str(m) for m in raw.get("warning_models") or ()))


@cache
def declaration(path: Path = FIGURES_FILE) -> Declaration:
    return parse(yamlfile.load(path.read_text(encoding="utf-8")))
