"""Running a fixture: a throw-away workspace, and a result that says why a fixture fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import LIBRARY
from shujian.models.authoring import MODEL_TEMPLATE, template_leftovers
from shujian.models.fixtures import run_fixture
from shujian.models.spec import load_model, spec_from_dict
from shujian.workspace import STORE_URL_ENV

OWN = Path(__file__).parents[1] / "cli" / "own_models" / "local.billiards_near_school.yaml"


def test_a_fixture_never_writes_to_the_store_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real_store = tmp_path / "real" / "case_store.sqlite"
    real_store.parent.mkdir()
    monkeypatch.setenv(STORE_URL_ENV, f"sqlite:///{real_store}")
    spec = LIBRARY["campus.internet_cafe"]
    assert spec.fixture_path is not None
    assert run_fixture(spec, spec.fixture_path).passed
    assert not real_store.exists()


def test_a_false_subject_carries_its_labelled_figures(tmp_path: Path):
    model = tmp_path / OWN.name
    model.write_text(
        OWN.read_text(encoding="utf-8").replace("default: 200", "default: 250"), encoding="utf-8"
    )
    fixture = OWN.with_name(OWN.name.replace(".yaml", ".fixture.yaml"))
    (tmp_path / fixture.name).write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_fixture(load_model(model), tmp_path / fixture.name)
    assert result.false_positives == ["92520203MA6272HD8Q"] and not result.passed
    report = result.explain("92520203MA6272HD8Q")
    assert ("距离（米）", 201.0) in report.figures[0]
    assert report.fixture_rows[0].values["场所名称"] == "远景桌球"


def test_the_template_is_found_unedited_and_no_shipped_or_own_model_is():
    import yaml

    template = spec_from_dict(yaml.safe_load(MODEL_TEMPLATE.format(id="local.x", path="F")))
    assert len(template_leftovers(template)) >= 6
    assert template_leftovers(load_model(OWN)) == []
    assert all(template_leftovers(spec) == [] for spec in LIBRARY.values())


def test_a_near_miss_of_a_minor_and_a_month_is_named_by_the_minor_s_rows(tmp_path: Path):
    """juvenile.visit_missing's subjects are 5202…/2026-04: a near miss is planted when its minor
    is, and a near miss naming a minor the fixture does not plant proves nothing."""
    spec = LIBRARY["juvenile.visit_missing"]
    assert spec.fixture_path is not None
    result = run_fixture(spec, spec.fixture_path)
    assert result.passed
    (row, *_) = result.explain("520203201102020911/2026-04").fixture_rows
    assert row.values["姓名"] == "陈晨"

    stranger = "520203201102020938/2026-04"
    fixture = tmp_path / spec.fixture_path.name
    fixture.write_text(
        spec.fixture_path.read_text(encoding="utf-8") + f"  - {stranger}\n", encoding="utf-8"
    )
    result = run_fixture(spec, fixture)
    assert [p for p in result.problems if stranger in p] and not result.passed
