"""Kinds of numbered document (检察建议书 today; 督促监护令, 支持起诉意见书 … next), declared in
`kinds.yaml`.

A kind is data — its Chinese name, its 文号 pattern, where its wording templates live and which
function renders it — so that adding one is adding an entry and a renderer, not editing the
numbering or the case service. The pattern is checked on load: a placeholder the numbering does
not fill, or a pattern without {seq} and {year} (which could give two documents one number), fails
at once rather than on the first issue.
"""

from __future__ import annotations

import importlib
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.errors import UserError

KINDS_FILE = Path(__file__).with_name("kinds.yaml")

NUMBER_PLACEHOLDERS = ("abbr", "dept", "year", "seq")
"""What a 文号 pattern may use; {year} and {seq} are required."""

Renderer = Callable[[Any, Path, Sequence[Path]], Path]


@dataclass(frozen=True)
class DocumentKind:
    id: str
    label: str
    number_pattern: str
    templates: Path
    """The bundled wording folder."""
    workspace_templates: str
    """The folder, inside a workspace's templates folder, where its own copies override them."""
    renderer_name: str

    def number(self, abbr: str, dept: str, year: int, seq: int) -> str:
        """The 文号: 青 + 行公 + 2026 + 3 → 青检行公建〔2026〕3号 for the 检察建议书."""
        return self.number_pattern.format(abbr=abbr, dept=dept, year=year, seq=seq)

    def template_dirs(self, workspace_templates_dir: Path) -> tuple[Path, ...]:
        """Where to look for a template, first match wins: the workspace's copy, then bundled."""
        return (workspace_templates_dir / self.workspace_templates, self.templates)

    def renderer(self) -> Renderer:
        """The declared rendering function (imported on first use: renderers pull in docx)."""
        module, _, name = self.renderer_name.partition(":")
        fn: Renderer = getattr(importlib.import_module(module), name)
        return fn


def _check_pattern(kind: str, pattern: str) -> None:
    used = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    unknown = used - set(NUMBER_PLACEHOLDERS)
    if unknown:
        raise ValueError(f"document kind {kind}: unknown placeholder(s) {sorted(unknown)}")
    if not {"year", "seq"} <= used:
        raise ValueError(f"document kind {kind}: the number pattern needs {{year}} and {{seq}}")


def parse_kinds(raw: dict[str, Any], base: Path) -> dict[str, DocumentKind]:
    """Build and check the kinds from the parsed YAML; folders are relative to `base`."""
    kinds: dict[str, DocumentKind] = {}
    for kid, k in raw.items():
        for key in ("label", "number", "templates", "renderer"):
            if key not in k:
                raise ValueError(f"document kind {kid}: missing {key!r}")
        _check_pattern(kid, k["number"])
        if ":" not in k["renderer"]:
            raise ValueError(f"document kind {kid}: renderer must be 'module:function'")
        kinds[kid] = DocumentKind(
            id=str(kid),
            label=str(k["label"]),
            number_pattern=str(k["number"]),
            templates=base / str(k["templates"]),
            workspace_templates=str(k.get("workspace_templates", kid)),
            renderer_name=str(k["renderer"]),
        )
    return kinds


def load_document_kinds(path: Path | None = None) -> dict[str, DocumentKind]:
    """The kinds declared in `path`, else in `KINDS_FILE` (the bundled `kinds.yaml`)."""
    return _load((path or KINDS_FILE).resolve())


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, DocumentKind]:
    with path.open(encoding="utf-8") as fh:
        return parse_kinds(yamlfile.load(fh), path.parent)


def document_kind(kind: str) -> DocumentKind:
    """A bundled kind by id (`recommendation`) or Chinese name (`检察建议书`)."""
    for k in load_document_kinds().values():
        if kind in (k.id, k.label):
            return k
    names = "、".join(f"{k.label}（{k.id}）" for k in load_document_kinds().values())
    raise UserError(f"未知的文书种类“{kind}”。可选：{names}。", code="unknown_document_kind")
