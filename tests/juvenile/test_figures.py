"""The declaration of the juvenile figures (juvenile/figures.yaml): every source is a reader that
exists, with values its dataset declares; the warnings are the juvenile models whose subject is a
minor; a declaration that says too little or contradicts itself is refused; and every figure,
counted or waiting, is defined in docs/juvenile.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from shujian.data.datasets import load_datasets
from shujian.juvenile.figures import COUNTS, DeclarationError, declaration, parse
from shujian.juvenile.statistics import READERS, SOURCE_DATASETS
from shujian.models.spec import load_library
from shujian.users.access import actions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "juvenile.md"
JUVENILE_DATASETS = (
    "key_minors",
    "minor_assignments",
    "minor_visits",
    "minor_conduct",
    "school_dropouts",
    "netcafe_logins",
)


def test_every_source_is_a_reader_with_declared_values() -> None:
    datasets = load_datasets()
    for figure in declaration().counted:
        for source in figure.sources:
            assert source.reader in READERS, (figure.id, source.reader)
            if source.reader in SOURCE_DATASETS:
                dataset, column = SOURCE_DATASETS[source.reader]
                declared = datasets[dataset].column(column).values
                assert source.values and set(source.values) <= set(declared), (figure.id, source)
            else:
                assert not source.values, (figure.id, source)
        if figure.needs:
            assert figure.needs in actions()


def test_the_corrective_measures_are_every_conduct_measure_but_the_special_school() -> None:
    declared = load_datasets()["minor_conduct"].column("measures").values
    [conduct] = [
        s
        for s in declaration().figure("corrective_measures").sources
        if s.reader != "visit_measures"
    ]
    assert set(conduct.values) == set(declared) - {"送专门学校"}


def test_the_warnings_are_the_juvenile_models_whose_subject_is_a_minor() -> None:
    library = load_library()
    listed = set(declaration().warning_models)
    minors = {
        m.id
        for m in library.values()
        if "未检" in m.category
        and m.subject_dataset in JUVENILE_DATASETS
        and "公民身份号码" in m.subject_label
    }
    assert listed == minors
    assert "netcafe.minor_admitted" not in listed  # its subject is the venue


def test_pending_figures_are_not_counted_and_say_what_they_wait_for() -> None:
    dec = declaration()
    # every figure the reports ask for is counted now (分级干预, 督促监护令, 附条件不起诉 built)
    assert {f.id for f in dec.pending} == set()
    assert all(f.pending and not f.sources for f in dec.pending)
    assert not set(dec.pending) & set(dec.counted)
    assert all(f.count in COUNTS for f in dec.figures)


def test_definitions_written_over_several_lines_keep_no_spaces_between_chinese() -> None:
    for f in declaration().figures:
        assert not re.search(r"[^\x00-\x7f]\s|\s[^\x00-\x7f]", f.counted), f.counted


def good() -> dict[str, Any]:
    return {
        "figures": [
            {"id": "active", "label": "在册人数", "count": "minors", "counted": "…",
             "sources": [{"reader": "on_register"}]},
            {"id": "assigned", "label": "落实包保人数", "count": "minors", "counted": "…",
             "sources": [{"reader": "assigned"}]},
        ]
    }  # fmt: skip


def with_figure(**more: Any) -> dict[str, Any]:
    raw = good()
    raw["figures"].append({"id": "x", "label": "某指标", "counted": "…", **more})
    return raw


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (with_figure(count="people", sources=[{"reader": "a"}]), "count 'people'"),
        (with_figure(count="minors"), "no sources"),
        (with_figure(count="minors", pending="督促监护令记录", sources=[{"reader": "a"}]),
         "pending figure has no sources"),
        (with_figure(count="rate"), "goes with count rate"),
        (with_figure(count="minors", rate=["assigned", "active"], sources=[{"reader": "a"}]),
         "goes with count rate"),
        (with_figure(count="rate", rate=["assigned", "later"]), "'later' must be a counted"),
        (with_figure(count="minors", sources=[{"reader": "a"}], colour="red"), "unknown keys"),
        ({"figures": [*good()["figures"], good()["figures"][0]]}, "declared twice"),
        (with_figure(count="rate", rate=["assigned", "active"], needs="view_leads"),
         "needs another action"),
    ],
)  # fmt: skip
def test_a_declaration_that_says_too_little_or_contradicts_itself_is_refused(
    raw: dict[str, Any], says: str
) -> None:
    with pytest.raises(DeclarationError, match=re.escape(says)):
        parse(raw)


def test_a_good_declaration_reads_back() -> None:
    rate = with_figure(count="rate", rate=["assigned", "active"])
    dec = parse(rate)
    assert [f.id for f in dec.counted] == ["active", "assigned", "x"]
    assert dec.figure("x").rate == ("assigned", "active") and dec.figure("x").unit == "%"


def test_every_figure_is_defined_in_the_docs_as_declared() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## 统计") : text.index("## 规模")]
    dec = declaration()
    for f in dec.counted:
        assert f"| {f.label} | {f.unit} | {f.definition} |" in section, f.label
    for f in dec.pending:
        assert f"| {f.label} | {f.unit} | {f.pending} | {f.counted} |" in section, f.label
