"""A model's passed checks are kept in the workspace between runs, under a name made of the
model's declaration, its datasets' declarations and the program's code: a change to any of them
checks the model again, a failed check is never kept, and a damaged entry is ignored."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import AS_OF, CAFE, LIBRARY, load_fixture_data
from shujian.backup.archive import backup
from shujian.errors import UserError
from shujian.models import check_cache
from shujian.models.beside import SecondProcess
from shujian.models.check_cache import FOLDER, CheckCache, canonical, key
from shujian.models.lineage import deciding_facts
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users.user import SYSTEM
from shujian.workspace import Workspace

OWN = Path(__file__).parents[1] / "cli" / "own_models" / "local.billiards_near_school.yaml"
BILLIARDS = "local.billiards_near_school"


def _kept(ws: Workspace) -> list[Path]:
    folder = ws.root / FOLDER
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def _leads(report) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        (f.subject, f.title, str(f.evidence_list())) for o in report.outcomes for f in o.findings
    )


def test_a_passed_check_is_kept_and_the_next_run_finds_the_same_leads(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_fixture_data(workspace, tmp_path, None, CAFE)
    first = run_models(workspace, LIBRARY, [CAFE], AS_OF)
    kept = _kept(workspace)
    assert [p.name for p in kept] == [key(LIBRARY[CAFE], workspace.datasets())]
    second = run_models(workspace, LIBRARY, [CAFE], AS_OF)
    assert _leads(first) and _leads(second) == _leads(first)
    assert _kept(workspace) == kept


def test_a_changed_model_is_checked_again_and_a_failed_check_is_not_kept(
    workspace: Workspace,
) -> None:
    own = workspace.models_dir / OWN.name
    workspace.models_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(OWN, own)
    run_models(workspace, load_library(workspace.models_dir), [BILLIARDS], AS_OF)
    assert len(_kept(workspace)) == 1

    # the same model now names a column no dataset declares: refused, although a passed check
    # of the model as it was is kept
    text = own.read_text(encoding="utf-8").replace("v.venue_type = '桌球'", "v.venue_kind = '桌球'")
    own.write_text(text, encoding="utf-8")
    os.utime(own, ns=(own.stat().st_atime_ns, own.stat().st_mtime_ns + 1_000_000))
    with pytest.raises(UserError) as refused:
        run_models(workspace, load_library(workspace.models_dir), [BILLIARDS], AS_OF)
    assert refused.value.code == "model_check_failed"
    assert "venue_kind" in refused.value.message
    assert len(_kept(workspace)) == 1


def test_a_changed_dataset_declaration_or_parameter_is_another_name(workspace: Workspace) -> None:
    datasets = workspace.datasets()
    spec = LIBRARY[CAFE]
    venues = datasets["venues"]
    fewer = dataclasses.replace(venues, columns=venues.columns[:-1])
    relabelled = dataclasses.replace(
        venues,
        columns=(dataclasses.replace(venues.columns[0], label="另一个名称"), *venues.columns[1:]),
    )
    other_default = dataclasses.replace(
        spec,
        parameters=(dataclasses.replace(spec.parameters[0], default=150), *spec.parameters[1:]),
    )
    names = {
        key(spec, datasets),
        key(spec, {**datasets, "venues": fewer}),
        key(spec, {**datasets, "venues": relabelled}),
        key(other_default, datasets),
        key(dataclasses.replace(spec, query=spec.query + "\n"), datasets),
    }
    assert None not in names and len(names) == 5
    # where the declaration was read from is not part of what it says
    moved = dataclasses.replace(spec, path=Path("/elsewhere") / "campus.internet_cafe.yaml")
    assert key(moved, datasets) == key(spec, datasets)
    # a dataset the model does not read changes nothing
    assert key(spec, {**datasets, "hotel_checkins": fewer}) == key(spec, datasets)


def test_the_name_is_the_same_in_every_process(workspace: Workspace) -> None:
    """Sets and mappings are put in a canonical order: the name does not depend on the
    process's hash seed."""
    script = (
        "from helpers import LIBRARY, CAFE; from shujian.workspace import open_workspace; "
        "from shujian.models.check_cache import key; "
        "from pathlib import Path; "
        f"print(key(LIBRARY[CAFE], open_workspace(Path({str(workspace.root)!r})).datasets()))"
    )
    tests = Path(__file__).parents[1]
    names = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(tests)}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        names.add(done.stdout.strip())
    assert names == {key(LIBRARY[CAFE], workspace.datasets())}


@pytest.mark.parametrize(
    ("value", "canonical_form"),
    [
        (frozenset({"b", "a"}), {"$set": ['"a"', '"b"']}),
        ({"x": 1}, {"$map": [["x", 1]]}),
        ((1, "a", None, True), [1, "a", None, True]),
        (0.5, {"$float": "0.5"}),
        (Path("a/b"), {"$PosixPath": "a/b"}),
    ],
)
def test_canonical_forms(value: object, canonical_form: object) -> None:
    assert canonical(value) == canonical_form


def test_a_value_without_a_canonical_form_is_checked_every_time(workspace: Workspace) -> None:
    spec = dataclasses.replace(
        LIBRARY[CAFE],
        parameters=(dataclasses.replace(LIBRARY[CAFE].parameters[0], default=object()),),
    )
    assert key(spec, workspace.datasets()) is None
    cache = CheckCache(workspace.root)
    cache.keep(None, ("a",))
    assert cache.passed(None) is None
    assert _kept(workspace) == []


@pytest.mark.parametrize(
    "damage", ["", "not json", '{"deciding": "venue_name"}', '{"deciding": [1]}', "[]"]
)
def test_a_damaged_entry_is_ignored_and_replaced(
    workspace: Workspace, tmp_path: Path, damage: str
) -> None:
    load_fixture_data(workspace, tmp_path, None, CAFE)
    first = run_models(workspace, LIBRARY, [CAFE], AS_OF)
    (entry,) = _kept(workspace)
    kept = entry.read_text(encoding="utf-8")
    entry.write_text(damage, encoding="utf-8")
    assert CheckCache(workspace.root).passed(entry.name) is None
    again = run_models(workspace, LIBRARY, [CAFE], AS_OF)
    assert _leads(again) == _leads(first)
    assert entry.read_text(encoding="utf-8") == kept


def test_the_code_is_part_of_the_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited or reinstalled source file is another program: its checks are not reused."""
    package = tmp_path / "shujian"
    (package / "models").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    source = package / "models" / "checks.py"
    source.write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(check_cache, "PACKAGE", package)

    def digest() -> str:
        check_cache.code_digest.cache_clear()
        return check_cache.code_digest()

    try:
        before = digest()
        (package / "__pycache__" / "checks.cpython-311.pyc").write_bytes(b"compiled")
        (package / "README.txt").write_text("not code", encoding="utf-8")
        assert digest() == before  # compiled files and other files are not the source
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
        touched = digest()
        source.write_text("x = 2\n", encoding="utf-8")
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
        assert len({before, touched}) == 2
        (package / "models" / "new.yaml").write_text("a: 1\n", encoding="utf-8")
        assert digest() not in {before, touched}
    finally:
        check_cache.code_digest.cache_clear()


def test_a_backup_leaves_the_kept_checks_out(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    load_fixture_data(workspace, tmp_path / "files", None, CAFE)
    run_models(workspace, LIBRARY, [CAFE], AS_OF)
    assert _kept(workspace)
    backup(workspace, tmp_path / "backup", SYSTEM)
    copied = [p.relative_to(tmp_path / "backup") for p in (tmp_path / "backup").rglob("*")]
    assert copied and not [p for p in copied if ".cache" in p.parts]


def test_models_checked_ahead_in_a_second_process_are_kept_as_if_checked_here(
    workspace: Workspace,
) -> None:
    """`shujian demo` checks the shipped models in a second process while it imports: the
    passed checks it keeps are those a run would keep, and a failing model is not kept."""
    datasets = workspace.datasets()
    broken = dataclasses.replace(
        LIBRARY[CAFE], id="local.broken", query=LIBRARY[CAFE].query.replace("lat", "latitude")
    )
    specs = [LIBRARY[CAFE], LIBRARY["hotel.minor_guest"], broken]
    cache = CheckCache(workspace.root)
    with SecondProcess(specs, datasets) as ahead:
        assert ahead.keep_into(cache) == 2
    assert {p.name for p in _kept(workspace)} == {key(s, datasets) for s in specs[:2]}
    assert cache.passed(key(LIBRARY[CAFE], datasets)) == deciding_facts(LIBRARY[CAFE], datasets)
