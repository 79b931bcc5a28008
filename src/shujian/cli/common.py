"""What several commands share: opening the workspace, loading the model library."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.models.spec import ModelSpec, load_library
from shujian.workspace import Workspace, open_workspace


def workspace(ctx: click.Context) -> Workspace:
    root: Path | None = ctx.obj.get("workspace") if ctx.obj else None
    return open_workspace(root)


def library(ws: Workspace) -> dict[str, ModelSpec]:
    return load_library(ws.models_dir)
