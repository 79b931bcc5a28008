"""Every shipped model is complete, valid, compiles for each engine and passes its fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from shujian.data.datasets import load_datasets
from shujian.engine.dialects import compile_query
from shujian.models.checks import check_model
from shujian.models.fixtures import run_fixture
from shujian.models.spec import load_library

LIBRARY = load_library()
DATASETS = load_datasets()
FOUNDATION = (
    "campus.internet_cafe",
    "campus.entertainment",
    "campus.tobacco_alcohol_lottery",
    "staff.barred_offence",
    "wage.deposit_missing",
)


def test_the_foundation_models_are_shipped():
    assert set(FOUNDATION) <= set(LIBRARY)


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_model_passes_its_checks(model_id: str):
    assert check_model(LIBRARY[model_id], DATASETS) == []


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_model_is_documented_with_its_legal_basis(model_id: str):
    spec = LIBRARY[model_id]
    assert spec.legal_basis, "legal basis missing"
    assert all(b.tag in ("V", "S", "U") and b.text for b in spec.legal_basis)
    assert len(spec.description) > 40
    assert re.search(r"[\u4e00-\u9fff]", spec.name)
    assert re.search(r"[\u4e00-\u9fff]", spec.subject_label)
    for p in spec.parameters:
        assert re.search(r"[\u4e00-\u9fff]", p.label), p.name
        assert p.source, f"parameter {p.name} has no source"
    assert spec.fixture_path is not None and spec.fixture_path.exists(), "fixture missing"


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_model_has_a_chinese_documentation_page(model_id: str):
    page = Path(__file__).resolve().parents[2] / "docs" / "models" / f"{model_id}.md"
    assert page.exists(), f"docs/models/{model_id}.md missing"
    text = page.read_text(encoding="utf-8")
    for heading in ("法律依据", "参数"):
        assert heading in text


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_model_compiles_for_each_engine(model_id: str, engine: str):
    spec = LIBRARY[model_id]
    params = {p.name: p.default for p in spec.parameters} | {
        "as_of": __import__("datetime").date(2026, 1, 1)
    }
    sql = compile_query(spec.query, params, engine)
    assert sqlglot.parse_one(sql, read=engine) is not None


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_model_fixture_finds_positives_and_no_near_misses(model_id: str):
    spec = LIBRARY[model_id]
    assert spec.fixture_path is not None
    result = run_fixture(spec, spec.fixture_path)
    assert all(n == 0 for n in result.rejected.values()), result.rejected
    assert result.missing == []
    assert result.false_positives == []
    assert result.unexpected == []
    assert result.expected, "a fixture needs at least one positive"
    assert result.not_expected, "a fixture needs at least one near miss"
