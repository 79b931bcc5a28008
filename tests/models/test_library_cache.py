"""The model library is read once and re-read when a model file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from shujian.models.spec import load_library, reload_library

OWN = Path(__file__).parents[1] / "cli" / "own_models" / "local.billiards_near_school.yaml"
CAFE = "campus.internet_cafe"


def test_the_library_is_read_once_and_again_when_a_model_file_changes(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    first = load_library(folder)
    assert load_library(folder)[CAFE] is first[CAFE]  # answered from memory, not read again

    own = folder / OWN.name
    shutil.copy(OWN, own)
    with_own = load_library(folder)
    assert "local.billiards_near_school" in with_own  # a new file is seen

    text = own.read_text(encoding="utf-8").replace("name: ", "name: 改名后的", 1)
    own.write_text(text, encoding="utf-8")
    os.utime(own, ns=(own.stat().st_atime_ns, own.stat().st_mtime_ns + 1_000_000))
    assert load_library(folder)["local.billiards_near_school"].name.startswith("改名后的")

    own.unlink()
    assert "local.billiards_near_school" not in load_library(folder)
    kept = load_library(folder)[CAFE]
    reload_library()
    assert load_library(folder)[CAFE] is not kept  # read again after a reload
    assert load_library(folder)[CAFE] == kept
