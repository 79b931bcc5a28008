"""Lineage of model columns: dataset columns and parameters, and how each reaches the output."""

from __future__ import annotations

import dataclasses

from shujian.data.datasets import load_datasets
from shujian.models.checks import check_model
from shujian.models.lineage import Source, query_lineage
from shujian.models.spec import load_library

DATASETS = load_datasets()
LIBRARY = load_library()


def lineage(sql: str) -> dict[str, set[tuple[str, str, str]]]:
    return {
        column: {(s.dataset or ":", s.name, s.how) for s in sources}
        for column, sources in query_lineage(sql, DATASETS).items()
    }


def test_columns_through_ctes_joins_and_aggregates():
    found = lineage(
        """
        WITH d AS (SELECT project_no, SUM(amount) AS total, MAX(deposited_on) AS last_on
                   FROM wage_deposits WHERE deposited_on <= :as_of GROUP BY project_no)
        SELECT p.project_no AS no, d.total, d.last_on, p.contract_amount * :ratio AS needed
        FROM construction_projects AS p LEFT JOIN d ON d.project_no = p.project_no
        """
    )
    assert found["no"] == {("construction_projects", "project_no", "value")}
    assert found["total"] == {("wage_deposits", "amount", "derived")}
    assert found["last_on"] == {("wage_deposits", "deposited_on", "value")}
    assert found["needed"] == {
        ("construction_projects", "contract_amount", "derived"),
        (":", "ratio", "derived"),
    }


def test_case_branches_carry_values_and_conditions_only_decide():
    found = lineage(
        """
        SELECT CASE WHEN released_on IS NULL OR released_on > :as_of THEN '在押'
                    ELSE CAST(released_on AS VARCHAR) END AS state
        FROM custody_records
        """
    )
    assert found["state"] == {
        ("custody_records", "released_on", "condition"),
        (":", "as_of", "condition"),
        ("custody_records", "released_on", "value"),
    }


def test_union_branches_both_count():
    found = lineage(
        """
        SELECT id_card AS person FROM death_records
        UNION ALL SELECT victim_id_card AS person FROM mandatory_reports
        """
    )
    assert found["person"] == {
        ("death_records", "id_card", "value"),
        ("mandatory_reports", "victim_id_card", "value"),
    }


def test_a_birth_date_or_age_from_an_id_number_is_tagged_birth():
    found = lineage(
        """
        WITH v AS (SELECT id_card, id_card__raw, age_on(id_card, visited_on) AS age
                   FROM hospital_visits)
        SELECT v.age, CASE WHEN v.age < 14 THEN '未满14周岁' END AS band,
               v.id_card || '' AS shown, v.id_card__raw AS original
        FROM v
        """
    )
    assert ("hospital_visits", "id_card", "birth") in found["age"]
    assert found["band"] == {
        ("hospital_visits", "id_card", "condition"),
        ("hospital_visits", "visited_on", "condition"),
    }
    assert found["shown"] == {("hospital_visits", "id_card", "value")}
    # the original text kept beside the normalised value is the same ID number
    assert found["original"] == {("hospital_visits", "id_card", "value")}


def test_the_catalogue_maps_every_output_column():
    for model in LIBRARY.values():
        found = query_lineage(model.query, DATASETS)
        assert set(model.evidence) <= set(found), model.id
        assert Source("column", "id_card", "hospital_visits", "value") not in found.get(
            "birth_date", set()
        )


def test_the_checker_refuses_evidence_rendered_from_the_run_date():
    model = LIBRARY["staff.barred_offence"]
    query = model.query.replace(
        "s.name,", "s.name, '截至' || CAST(:as_of AS VARCHAR) || '在职' AS status_text,", 1
    )
    assert query != model.query
    spec = dataclasses.replace(model, query=query, evidence=(*model.evidence, "status_text"))
    problems = check_model(spec, DATASETS)
    assert any("status_text" in p and ":as_of" in p for p in problems), problems


def test_the_checker_refuses_a_title_printing_the_run_date():
    model = LIBRARY["wage.deposit_missing"]
    spec = dataclasses.replace(model, title=model.title + "（截至{as_of}）")
    assert any("{as_of}" in p for p in check_model(spec, DATASETS))


def test_the_checker_refuses_deciding_columns_that_are_not_evidence():
    model = LIBRARY["report.mandatory"]
    spec = dataclasses.replace(model, declared_deciding=("visited_on", "visit_batch"))
    assert any("visit_batch" in p and "deciding" in p for p in check_model(spec, DATASETS))
