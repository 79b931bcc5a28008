"""Nothing imported is ever lost: not by pointing the workspace at another case store, not by a
stray file in the warehouse, not by the clean-up after a killed import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete

from helpers import CAFE, write_fixture_csvs
from shujian.cli.main import cli
from shujian.data.warehouse import Warehouse
from shujian.identity import ID_FILE, store_identity, warehouse_identity, workspace_identity
from shujian.workspace import STORE_URL_ENV, init_workspace, open_workspace


def shujian(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-w", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def workspace_with_two_batches(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A workspace made and filled from the shell, as a procuratorate would."""
    root = tmp_path / "ws"
    assert shujian(root, "init", str(root))[0] == 0
    files = write_fixture_csvs(CAFE, tmp_path)
    assert len(files) >= 2
    for dataset, path in files.items():
        code, _, err = shujian(root, "import", dataset, str(path))
        assert code == 0, err
    return root, files


def parquet_bytes(root: Path) -> dict[str, bytes]:
    """Every Parquet file anywhere under the warehouse, by path, with its content."""
    warehouse = root / "warehouse"
    return {str(p.relative_to(warehouse)): p.read_bytes() for p in warehouse.rglob("*.parquet")}


def another_file(tmp_path: Path) -> Path:
    """A later file from the agency (the fixture's venues, its last row sent twice): new bytes,
    so importing it writes a new batch."""
    later = tmp_path / "later"
    later.mkdir(exist_ok=True)
    venues = write_fixture_csvs(CAFE, later)["venues"]
    lines = venues.read_text(encoding="utf-8").splitlines()
    venues.write_text("\n".join([*lines, lines[-1]]) + "\n", encoding="utf-8")
    return venues


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_importing_with_a_fresh_store_is_refused_and_every_batch_is_kept(
    tmp_path, backend, request, monkeypatch
):
    root, _ = workspace_with_two_batches(tmp_path)
    before = parquet_bytes(root)
    assert len(before) == 2
    held = warehouse_identity(root / "warehouse")
    fresh = (
        f"sqlite:///{tmp_path / 'other.sqlite'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    monkeypatch.setenv(STORE_URL_ENV, fresh)

    code, out, err = shujian(root, "import", "venues", str(another_file(tmp_path)))
    assert code != 0 and "是空的" in err and parquet_bytes(root) == before
    # the administrator follows the message and makes the new store's tables
    code, out, err = shujian(root, "db", "upgrade")
    assert code == 0, err
    code, out, err = shujian(root, "import", "venues", str(another_file(tmp_path)))

    assert parquet_bytes(root) == before
    assert code != 0, out
    assert "为防止数据丢失，本次操作未执行" in err
    assert held is not None and held in err  # the warehouse's identity is named
    assert "尚无工作区标识" in err and "SHUJIAN_STORE_URL" in err
    # and the fresh store was not stamped, so the mistake cannot become permanent
    if backend == "postgresql":
        from shujian.store import open_store

        engine = open_store(fresh)
        assert store_identity(engine) is None
        engine.dispose()


def test_a_store_of_another_workspace_is_refused_naming_both_identities(tmp_path, monkeypatch):
    root, _ = workspace_with_two_batches(tmp_path)
    other = init_workspace(tmp_path / "other")
    other_id = store_identity(other.store)
    other.store.dispose()
    before = parquet_bytes(root)
    held = warehouse_identity(root / "warehouse")
    monkeypatch.setenv(STORE_URL_ENV, f"sqlite:///{tmp_path / 'other' / 'case_store.sqlite'}")

    code, out, err = shujian(root, "import", "venues", str(another_file(tmp_path)))

    assert parquet_bytes(root) == before
    assert code != 0, out
    assert held and other_id and held != other_id
    assert "不属于同一个工作区" in err and held in err and other_id in err

    monkeypatch.delenv(STORE_URL_ENV)  # pointed back at its own store, the workspace works
    code, out, err = shujian(root, "import", "venues", str(another_file(tmp_path)))
    assert code == 0, err
    assert set(before) < set(parquet_bytes(root))


def test_an_unknown_parquet_file_is_moved_aside_and_reported_not_deleted(tmp_path):
    root, _ = workspace_with_two_batches(tmp_path)
    stray = root / "warehouse" / "venues" / "copied-in-by-hand.parquet"
    stray.write_bytes(next(iter(parquet_bytes(root).values())))
    content = stray.read_bytes()

    code, out, err = shujian(root, "import", "venues", str(another_file(tmp_path)), "--json")

    assert code == 0, err
    assert not stray.exists()
    moved = [Path(p) for p in json.loads(out.splitlines()[-1])["moved_aside"]]
    assert len(moved) == 1 and moved[0].name == stray.name
    assert moved[0].read_bytes() == content
    assert ".unclaimed" in moved[0].parts and moved[0].parent.name == "venues"
    assert "未删除" in out and str(moved[0]) in out
    # a set-aside file is not data of any batch: the next import leaves it where it is
    code, out, _ = shujian(root, "import", "venues", str(another_file(tmp_path)))
    assert code == 0 and "未删除" not in out and moved[0].read_bytes() == content


KILL_BEFORE_COMMIT = """
import os, signal, sys
from pathlib import Path
from sqlalchemy import event
from shujian.data.importer import import_file
from shujian.workspace import open_workspace
from shujian.data.warehouse import Warehouse

ws = open_workspace(Path(sys.argv[1]))
# the Parquet file is renamed into place; the process dies as the batch row is being committed
event.listen(ws.store, "commit", lambda conn: os.kill(os.getpid(), signal.SIGKILL))
import_file(Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, ws.datasets()["venues"],
            Path(sys.argv[2]))
"""


def test_a_journaled_write_that_never_committed_is_cleaned_up_by_the_next_import(tmp_path):
    root, _ = workspace_with_two_batches(tmp_path)
    before = parquet_bytes(root)
    later = another_file(tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_BEFORE_COMMIT, str(root), str(later)],
        capture_output=True,
        env={**os.environ},
    )
    assert killed.returncode == -9, killed.stderr
    left = set(parquet_bytes(root)) - set(before)
    assert len(left) == 1  # written and renamed, but belonging to no batch
    (entry,) = (root / "warehouse" / ".journal").glob("*.json")
    assert next(iter(left)) in json.loads(entry.read_text(encoding="utf-8"))["files"]
    ws = open_workspace(root)
    assert len(Warehouse(ws.warehouse_dir, ws.store).batches()) == 2
    ws.store.dispose()

    code, out, err = shujian(root, "import", "venues", str(later), "--json")

    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["moved_aside"] == []
    after = parquet_bytes(root)
    assert {k: after[k] for k in before} == before
    assert len(after) == 3 and not (set(after) - set(before)) & left  # leftover gone, not set aside
    assert not list((root / "warehouse" / ".journal").glob("*"))


def test_a_workspace_of_the_previous_release_is_stamped_once_when_its_store_lists_its_batches(
    tmp_path, monkeypatch
):
    root, _ = workspace_with_two_batches(tmp_path)
    ws = open_workspace(root)
    with ws.store.begin() as conn:  # as the previous release left it: no identity anywhere
        conn.execute(delete(workspace_identity))
    ws.store.dispose()
    (root / "warehouse" / ID_FILE).unlink()
    before = parquet_bytes(root)

    # switched to a new database before upgrading: refused, nothing stamped
    monkeypatch.setenv(STORE_URL_ENV, f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert shujian(root, "db", "upgrade")[0] == 0
    code, _, err = shujian(root, "import", "venues", str(another_file(tmp_path)))
    assert code != 0 and "没有任何批次登记" in err
    assert warehouse_identity(root / "warehouse") is None
    monkeypatch.delenv(STORE_URL_ENV)

    # with its own store: both halves stamped with one identity, and the import goes on
    code, _, err = shujian(root, "import", "venues", str(another_file(tmp_path)))
    assert code == 0, err
    ws = open_workspace(root)
    held = warehouse_identity(root / "warehouse")
    assert held is not None and store_identity(ws.store) == held
    ws.store.dispose()
    after = parquet_bytes(root)
    assert {k: after[k] for k in before} == before and len(after) == 3
