"""The demonstration county through the platform itself, as `shujian demo DIR` builds it.

`test_generate.py` checks the generated files against a small reference implementation of each
rule. This module runs the platform instead: the county is built once by `build_demo`, the very
function the `demo` command calls (generate, import every file, run every shipped model, walk the
sample case), and its results are then read back the way a user would meet them: leads from the
case store through the leads service, rejected rows from the importer's rejection reports. They
are held to `manifest.json`:

- every planted lead is found by its model under the subject the manifest names;
- no near miss is flagged, and no lead exists that was not planted (exact set per model);
- each file's rejected rows are those the manifest lists (row, column, value, kind of fault), and
  the counts of rows read, rejected and imported agree;
- the figures that decided each lead (distance, age on the day, amounts, dates and deadlines), as
  the lead's evidence states them, are the figures planted;
- the demonstration's helping-unit account sees the minors of its unit and, by recording the
  missing visits of its planted minor's month, clears that month's warning at the next run (on a
  copy of the workspace, so the other checks read the demo as built).

Each comparison is parametrised by model or dataset, so a failure names it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shujian.beijing import today_in_china
from shujian.cli.demo import demo_cmd
from shujian.data.datasets import normalise_header
from shujian.data.importer import ImportResult
from shujian.demo.accounts import ACCOUNTS, helper_warning
from shujian.demo.county import SCHEMAS
from shujian.demo.manifest import MANIFEST_FILE, DemoManifest, Plant
from shujian.demo.showcase import DemoResult, build_demo
from shujian.demo.supervision import open_demo_item
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import items
from shujian.juvenile.visits import VisitForm, record_visit
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users import User, departments_of
from shujian.users.accounts import add_user, resolve
from shujian.workspace import open_workspace

MODELS = sorted(load_library())
"""The shipped models: the county plants every one of them."""
DATASETS = list(SCHEMAS)
"""Every dataset the generator writes a file for."""

DISTANCE_TOLERANCE_M = 0.5
"""A planted distance and the model's may differ by this much: the plant is measured on the true
WGS-84 position, the model on the file's coordinates (six decimals, ~0.1 m) after any GCJ-02
conversion, and rounds to 0.1 m."""

COORDINATE_TOLERANCE_DEG = 0.000005
"""About 0.5 m at the county's latitude: a converted GCJ-02 position must land on the true one."""

REJECTION_REASONS = {
    "excel_truncated": "Excel",
    "wrong_check": "校验码",
    "letter_o": "“O”",
}
"""What the importer's reason must name for each kind of fault the generator plants."""


# ---- the demo, built once ------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    result: DemoResult
    manifest: DemoManifest
    """As written to `agency-files/manifest.json` and read back."""
    leads: dict[str, dict[str, dict[str, Any]]]
    """Model → subject → lead, from the case store."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    directory = tmp_path_factory.mktemp("demo") / "demo-workspace"
    seed = next(p.default for p in demo_cmd.params if p.name == "seed")
    result = build_demo(directory, seed)
    manifest = DemoManifest.load(directory / "agency-files" / MANIFEST_FILE)
    leads: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for lead in list_leads(result.workspace.store):
        leads[lead["model_id"]][lead["subject"]] = lead
    return Built(result, manifest, dict(leads))


def _plants(built: Built, model: str, lead: bool) -> list[Plant]:
    return [p for p in built.manifest.plants if p.model == model and p.lead is lead]


def _found(built: Built, model: str) -> set[str]:
    return set(built.leads.get(model, {}))


def _described(plants: list[Plant], subjects: set[str]) -> list[str]:
    return [f"{p.subject}: {p.description}" for p in plants if p.subject in subjects]


# ---- leads ---------------------------------------------------------------------------------


def test_every_shipped_model_is_planted_with_leads_and_near_misses(built: Built):
    assert sorted(built.manifest.models()) == MODELS
    for model in MODELS:
        assert _plants(built, model, True), model
        assert _plants(built, model, False), model


@pytest.mark.parametrize("model", MODELS)
def test_every_planted_lead_is_found_under_its_subject(built: Built, model: str):
    planted = _plants(built, model, True)
    missed = {p.subject for p in planted} - _found(built, model)
    assert _described(planted, missed) == []


@pytest.mark.parametrize("model", MODELS)
def test_no_near_miss_is_flagged(built: Built, model: str):
    near = _plants(built, model, False)
    flagged = {p.subject for p in near} & _found(built, model)
    assert _described(near, flagged) == []


@pytest.mark.parametrize("model", MODELS)
def test_the_model_finds_exactly_the_planted_leads(built: Built, model: str):
    """Nothing of the ordinary county trips a rule: every lead is a planted one."""
    planted = {p.subject for p in _plants(built, model, True)}
    found = _found(built, model)
    unplanned = found - planted - {p.subject for p in _plants(built, model, False)}
    assert sorted(unplanned) == []
    assert found == planted


@pytest.mark.parametrize("model", MODELS)
def test_every_lead_is_active_and_its_evidence_names_its_subject(built: Built, model: str):
    spec = next(o.model for o in built.result.report.outcomes if o.model.id == model)
    for subject, lead in built.leads.get(model, {}).items():
        assert lead["active"], subject
        assert lead["evidence"], subject
        assert lead["evidence_rows"] >= len(lead["evidence"]), subject
        assert {row[spec.subject_column] for row in lead["evidence"]} == {subject}


# ---- deciding figures ----------------------------------------------------------------------

Compare = Callable[[Any, Any], bool]


def _blank(value: Any) -> Any:
    """An empty text is what the store keeps as null."""
    return None if value == "" else value


def same(planted: Any, got: Any) -> bool:
    return _blank(planted) == _blank(got)


def metres(planted: Any, got: Any) -> bool:
    return got is not None and abs(float(got) - float(planted)) <= DISTANCE_TOLERANCE_M


def degrees(planted: Any, got: Any) -> bool:
    return got is not None and abs(float(got) - float(planted)) <= COORDINATE_TOLERANCE_DEG


def decimal(planted: Any, got: Any) -> bool:
    return got is not None and Decimal(str(got)) == Decimal(str(planted))


def registered_text(planted: Any, got: Any) -> bool:
    """The importer stores text NFKC-normalised (full-width ：；（） become half-width)."""
    return unicodedata.normalize("NFKC", planted) == got


def _items(value: Any) -> set[str]:
    if value is None or value == "":
        return set()
    if isinstance(value, list):
        return {i for v in value for i in _items(v)}
    text = str(value)
    for separator in "；;、,，":
        text = text.replace(separator, "\x1f")
    return {i.strip() for i in text.split("\x1f") if i.strip()}


def same_items(planted: Any, got: Any) -> bool:
    """Lists written with any separator (a list, "a；b", "a;b", "a、b") hold the same items."""
    return _items(planted) == _items(got)


def months(planted: list[str], got: list[str]) -> bool:
    """The planted months (2026-05) are the months of the evidence rows (2026-05-01)."""
    return set(planted) == {m[:7] for m in got}


def last_month(planted: str, got: list[str]) -> bool:
    return max(got)[:7] == planted


def esports_listing(planted: str, got: str | None) -> bool:
    """An 电竞酒店 is named by its listing; an ordinary hotel's 电竞房 decide without one."""
    return got == planted if planted == "电竞酒店" else got is None


def other_report(planted: dict[str, str] | None, got: str | None) -> bool:
    """A report by someone else (the school) is shown beside the lead, reporter and date."""
    if planted is None:
        return got is None
    return got is not None and planted["reporter"] in got and planted["date"] in got


@dataclass(frozen=True)
class Figure:
    """A figure of `Plant.figures` and where the lead's evidence states it."""

    planted: str
    evidence: str
    compare: Compare = same
    all_rows: bool = False
    """Compare with the list of the column's values over every evidence row of the lead."""


def _campus(limit: str) -> tuple[Figure, ...]:
    return (
        Figure("distance_m", "distance_m", metres),
        Figure("threshold_m", limit),
        Figure("school", "school_name"),
        Figure("school_uscc", "school_uscc"),
        Figure("school_type", "school_type"),
        Figure("school_lon", "school_lon", degrees),
        Figure("school_lat", "school_lat", degrees),
        Figure("venue_lon_wgs84", "venue_lon", degrees),
        Figure("venue_lat_wgs84", "venue_lat", degrees),
        Figure("venue_type", "venue_type"),
        Figure("status", "venue_status"),
        Figure("crs", "venue_crs"),
    )


_STAY = (
    Figure("hotel", "hotel_name"),
    Figure("guest_id", "id_card"),
    Figure("birth_date", "birth_date"),
    Figure("checked_in_at", "checked_in_at"),
    Figure("age_on_day", "age_on_day"),
    Figure("room_no", "room_no"),
    Figure("room_type", "room_type"),
)

FIGURES: dict[str, tuple[Figure, ...]] = {
    "campus.internet_cafe": _campus("max_distance_m"),
    "campus.entertainment": _campus("limit_m"),
    "campus.tobacco_alcohol_lottery": _campus("limit_m"),
    "staff.barred_offence": (
        Figure("name", "name"),
        Figure("unit", "employer_name"),
        Figure("unit_category", "employer_type"),
        Figure("post", "position"),
        Figure("offence", "offence"),
        Figure("outcome", "outcome"),
        Figure("record_date", "decided_on"),
        Figure("hire_date", "hired_on"),
        Figure("record_predates_hire", "record_before_hiring"),
    ),
    "wage.deposit_missing": (
        Figure("contract_yuan", "contract_amount", decimal),
        Figure("deposit_total_yuan", "deposit_total", decimal),
        Figure("min_ratio", "min_ratio", decimal),
        Figure("permit_date", "permit_date"),
        Figure("deadline", "deadline"),
    ),
    "kindergarten.name": (
        Figure("name", "school_name"),
        Figure("name_in_file", "name_in_file"),
        Figure("school_type", "school_type"),
        Figure("prohibited_words", "matched_words", same_items),
        Figure("latin_letters", "latin_letters"),
    ),
    "hotel.minor_guest": (
        *_STAY,
        Figure("guardian_contact", "guardian_contact"),
        Figure("co_occupant_relation", "co_occupant_relation"),
    ),
    "hotel.esports_minor": (*_STAY, Figure("hotel_type", "listed_venue_type", esports_listing)),
    "tattoo.scope": (
        Figure("name", "entity_name"),
        Figure("business_scope", "business_scope", registered_text),
        Figure("scope_in_file", "business_scope_in_file"),
        Figure("registration_status", "registration_status"),
    ),
    "report.mandatory": (
        Figure("hospital", "hospital_name"),
        Figure("hospital_uscc", "hospital_uscc"),
        Figure("sex", "sex"),
        Figure("birth_date", "birth_date"),
        Figure("visit_date", "visited_on"),
        Figure("age_on_day", "age_on_visit"),
        Figure("diagnosis", "diagnosis"),
        Figure("icd10", "icd10"),
        Figure("window_days", "window_days"),
        Figure("deadline", "deadline"),
        Figure("report_date", "hospital_report_on"),
        Figure("other_report", "other_reports", other_report),
    ),
    "soil.fee_unpaid": (
        Figure("project_type", "project_type"),
        Figure("approved_on", "approved_on"),
        Figure("area_m2", "area_m2"),
        Figure("fee_due_yuan", "fee_due", decimal),
        Figure("paid_total_yuan", "paid_total", decimal),
        Figure("permit_date", "permit_date"),
        Figure("started_on", "started_on"),
    ),
    "medbeauty.unlicensed": (
        Figure("name", "name"),
        Figure("business_scope", "business_scope", registered_text),
        Figure("licence_subjects", "subjects", same_items),
        Figure("licence_valid_until", "valid_until"),
    ),
    "transfer.not_transferred": (
        Figure("authority", "authority"),
        Figure("violation_type", "violation_type"),
        Figure("amount_involved_yuan", "amount_involved", decimal),
        Figure("threshold_yuan", "threshold", decimal),
        Figure("decided_on", "decided_on"),
    ),
    "transfer.review": (
        Figure("authority", "authority"),
        Figure("violation_type", "violation_type"),
        Figure("amount_involved_yuan", "amount_involved", decimal),
        Figure("threshold_yuan", "threshold", decimal),
        Figure("decided_on", "decided_on"),
    ),
    "benefit.in_custody": (
        Figure("benefit_type", "benefit_type"),
        Figure("monthly_amount_yuan", "amount", decimal),
        Figure("custody_type", "custody_type"),
        Figure("admitted_on", "admitted_on"),
        Figure("released_on", "released_on"),
        Figure("months_paid_fully_inside", "pay_month", months, all_rows=True),
        Figure("overpaid_yuan", "total_overpaid", decimal),
    ),
    "juvenile.visit_missing": (
        Figure("name", "name"),
        Figure("month", "month"),
        Figure("age_at_month_end", "age_at_month_end"),
        Figure("identified_on", "identified_on"),
        Figure("withdrawn_on", "withdrawn_on"),
        Figure("school", "school"),
        Figure("required_targets", "required_targets"),
        Figure("missing_targets", "missing_targets"),
        Figure("visit_count", "visit_count"),
    ),
    "juvenile.unassigned": (
        Figure("name", "name"),
        Figure("first_identified_on", "first_identified_on"),
        Figure("categories_now", "categories_now"),
        Figure("last_unit", "last_unit"),
        Figure("last_responsible", "last_responsible"),
        Figure("last_started_on", "last_started_on"),
        Figure("last_ended_on", "last_ended_on"),
    ),
    "juvenile.escalation": (
        Figure("name", "name"),
        Figure("act_on", "act_on"),
        Figure("conduct_class", "conduct_class"),
        Figure("act", "act"),
        Figure("age_on_act", "age_on_act"),
        Figure("latest_trigger_on", "latest_trigger_on"),
        Figure("needed_registration", "needed_registration"),
        Figure("registration_history", "registration_history"),
    ),
    "juvenile.dropout_not_returned": (
        Figure("name", "name"),
        Figure("school", "school"),
        Figure("stage", "stage"),
        Figure("left_on", "left_on"),
        Figure("age_on_leaving", "age_on_leaving"),
        Figure("return_deadline", "return_deadline"),
        Figure("returned_on", "returned_on"),
    ),
    "juvenile.netcafe_frequent": (
        Figure("name", "name"),
        Figure("birth_date", "birth_date"),
        Figure("month", "month"),
        Figure("login_days", "login_days"),
        Figure("login_days_list", "login_days_list"),
        Figure("venues", "venues"),
        Figure("registration_history", "registration_history"),
    ),
    "netcafe.minor_admitted": (
        Figure("venue_name", "venue_name"),
        Figure("latest_login_date", "latest_login_date"),
        Figure("minor_logins", "minor_logins"),
        Figure("minors_admitted", "minors_admitted"),
        Figure("name", "name"),
        Figure("id_card", "id_card"),
        Figure("birth_date", "birth_date"),
        Figure("age_on_day", "age_on_day"),
        Figure("logged_in_at", "logged_in_at"),
    ),
    "benefit.deceased": (
        Figure("benefit_type", "benefit_type", same_items, all_rows=True),
        Figure("died_on", "died_on"),
        Figure("months_paid_after_death", "pay_month", months, all_rows=True),
        Figure("last_paid_month", "pay_month", last_month, all_rows=True),
        Figure("overpaid_yuan", "total_after_death", decimal),
    ),
    "wage.refusal_not_transferred": (
        Figure("employer", "employer"),
        Figure("case_no", "case_nos"),
        Figure("order_no", "order_nos"),
        Figure("ordered_on", "first_ordered_on"),
        Figure("pay_by", "first_pay_by"),
        Figure("workers_unpaid", "workers_unpaid"),
        Figure("total_unpaid_yuan", "total_unpaid", decimal),
        Figure("qualifying_workers", "qualifying_workers", same_items),
        Figure("standard_met", "standard_met"),
        Figure("single_threshold_yuan", "single_threshold", decimal),
        Figure("total_threshold_yuan", "total_threshold", decimal),
    ),
    "wage.support_prosecution": (
        Figure("employer", "employer"),
        Figure("order_no", "order_nos"),
        Figure("pay_by", "first_pay_by"),
        Figure("unpaid_days", "days_overdue"),
        Figure("workers_unpaid", "workers_unpaid"),
        Figure("total_unpaid_yuan", "total_unpaid", decimal),
        Figure("unpaid_workers", "unpaid_workers", same_items),
    ),
}
"""Per model: the planted figures each lead's evidence must repeat."""

NOT_IN_EVIDENCE: dict[str, frozenset[str]] = {
    # what a model wrongly computing on unconverted GCJ-02 would get: the platform must not
    "campus.internet_cafe": frozenset({"distance_if_unconverted_m"}),
    # the run date and the exemption line are the run's, not the lead's (issue 8, point 2);
    # the ratio is derived from the two amounts checked
    "wage.deposit_missing": frozenset({"as_of", "exempt_below_yuan", "deposit_ratio"}),
    # facts of the hotel list that this model does not use
    "hotel.minor_guest": frozenset({"hotel_type", "hotel_has_esports_area"}),
    # the ordinary hotel's 电竞房 area shows as the room type; registration is the other model's
    "hotel.esports_minor": frozenset(
        {"hotel_has_esports_area", "guardian_contact", "co_occupant_relation"}
    ),
    # derived from the two dates checked
    "report.mandatory": frozenset({"days_to_report"}),
    "soil.fee_unpaid": frozenset({"as_of"}),
    "medbeauty.unlicensed": frozenset({"as_of"}),
    # always empty for a lead; the evidence says so in words (transfer_status)
    "transfer.not_transferred": frozenset({"transferred_on"}),
    "transfer.review": frozenset({"transferred_on"}),
    "wage.refusal_not_transferred": frozenset({"transferred_on"}),
    # the sum over both benefits; the evidence has each benefit's amount and the total checked
    "benefit.deceased": frozenset({"monthly_amount_yuan"}),
    # the helping unit is the register's (minor_assignments), which this model does not read
    "juvenile.visit_missing": frozenset({"helper_unit"}),
    # the birth date is in the number; the days since 认定 are the run's
    "juvenile.unassigned": frozenset({"birth_date", "days_since_identified"}),
    # the birth date is in the number; the age today and the days before it are the run's
    "juvenile.escalation": frozenset({"birth_date", "age_on_run_date", "days_before_run_date"}),
    # the grade as the ledger writes it is stored as its 学段 (compared); the birth date is in
    # the number
    "juvenile.dropout_not_returned": frozenset({"stage_in_file", "birth_date"}),
    # the days before the run date are the run's
    "netcafe.minor_admitted": frozenset({"days_before_run_date"}),
}
"""Per model: planted figures that are deliberately not compared, each for the reason noted."""

ROW_OF: dict[str, tuple[str, str]] = {
    "hotel.minor_guest": ("guest_id", "id_card"),
    "hotel.esports_minor": ("guest_id", "id_card"),
    "netcafe.minor_admitted": ("id_card", "id_card"),
}
"""Per model whose lead may hold other rows (a hotel's other flagged guests, a 网吧's other
minors): the planted figure and the evidence column that pick the planted row. Elsewhere the
lead's first row is compared."""

_ABSENT = "（证据中无此列）"


def _evidence_row(model: str, plant: Plant, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    if model not in ROW_OF:
        return evidence[0]
    planted, column = ROW_OF[model]
    rows = [r for r in evidence if r.get(column) == plant.figures[planted]]
    return rows[0] if rows else {}


@pytest.mark.parametrize("model", MODELS)
def test_every_recorded_figure_is_compared_or_excused(built: Built, model: str):
    compared = {f.planted for f in FIGURES.get(model, ())}
    excused = NOT_IN_EVIDENCE.get(model, frozenset())
    recorded = {k for p in _plants(built, model, True) for k in p.figures}
    assert compared, f"no figures declared for {model}"
    assert sorted(recorded - compared - excused) == []
    assert sorted((compared | excused) - recorded) == []


@pytest.mark.parametrize("model", MODELS)
def test_deciding_figures_are_as_planted(built: Built, model: str):
    wrong: list[tuple[str, str, Any, Any]] = []
    for plant in _plants(built, model, True):
        lead = built.leads.get(model, {}).get(plant.subject)
        if lead is None:
            wrong.append((plant.subject, "lead", "found", None))
            continue
        row = _evidence_row(model, plant, lead["evidence"])
        for figure in FIGURES.get(model, ()):
            planted = plant.figures[figure.planted]
            if figure.all_rows:
                got: Any = [r.get(figure.evidence, _ABSENT) for r in lead["evidence"]]
            else:
                got = row.get(figure.evidence, _ABSENT)
            if got == _ABSENT or _ABSENT in (got if isinstance(got, list) else ()):
                wrong.append((plant.subject, figure.evidence, planted, _ABSENT))
            elif not figure.compare(planted, got):
                wrong.append((plant.subject, figure.evidence, planted, got))
    assert wrong == []


# ---- imports -------------------------------------------------------------------------------


def _import(built: Built, dataset: str) -> ImportResult:
    (result,) = [r for r in built.result.imports if r.dataset == dataset]
    return result


def _reported(path: Path | None) -> list[tuple[Any, ...]]:
    """Rows of the rejection report's 退回记录 sheet: row, column label, value, reason."""
    assert path is not None and path.exists()
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book["退回记录"].iter_rows(min_row=2, values_only=True)]
    finally:
        book.close()


@pytest.mark.parametrize("dataset", DATASETS)
def test_rejected_rows_are_those_of_the_manifest(built: Built, dataset: str):
    entry = built.manifest.dataset(dataset)
    spec = built.result.workspace.datasets()[dataset]
    headers = spec.header_index()

    def label(header: str) -> str:
        return spec.column(headers[normalise_header(header)]).label

    expected = {(r.file_row, label(r.column), r.value): r.kind for r in entry.rejected_rows}
    reported = {
        (row, column, value): reason
        for row, column, value, reason in _reported(_import(built, dataset).report)
    }
    assert sorted(reported) == sorted(expected)
    wrong_reason = [
        (key, kind, reported[key])
        for key, kind in expected.items()
        if REJECTION_REASONS[kind] not in reported[key]
    ]
    assert wrong_reason == []


@pytest.mark.parametrize("dataset", DATASETS)
def test_import_counts_are_those_of_the_manifest(built: Built, dataset: str):
    entry = built.manifest.dataset(dataset)
    result = _import(built, dataset)
    rejected = len(entry.rejected_rows)
    assert result.file == entry.file
    assert not result.already_imported
    assert (result.rows_read, result.rejected, result.imported, result.duplicates) == (
        entry.rows,
        rejected,
        entry.rows - rejected,
        0,
    )


# ---- the helping unit's account ------------------------------------------------------------

VISITS = "juvenile.visit_missing"


def test_the_demo_helper_records_the_visits_that_clear_its_minors_warning(
    built: Built, tmp_path: Path
):
    root = tmp_path / "workspace"
    shutil.copytree(built.result.workspace.root, root)
    ws = open_workspace(root)
    account = next(a for a in ACCOUNTS if a.role == "helper")
    # the demo's administrator and helper accounts as `open_demo_accounts` opens them, without
    # the passwords (hashing six takes seconds, and no one signs in here)
    admin = User(ACCOUNTS[0].name, ws.region.procuratorate_name, None, frozenset({"admin"}))
    for opened in (ACCOUNTS[0], account):
        add_user(ws.store, admin, opened.name, opened.department, [opened.role],
                 departments_of(ws), unit=opened.unit)  # fmt: skip
    [plant] = [p for p in _plants(built, VISITS, True) if p.figures["helper_unit"] == account.unit]
    assert helper_warning(built.manifest) == plant  # the one the demo's next steps name
    minor, month = plant.subject.split("/")
    as_of = built.manifest.as_of
    register = Register(ws)
    helper = register.with_grants(
        resolve(ws.store, account.name, ws.region.procuratorate_name), as_of
    )
    granted = {key for kind, key in helper.grants if kind == "minor"}
    assert minor in granted and len(granted) >= 10  # the unit's minors, the planted one among them

    missing = tuple(plant.figures["missing_targets"].split("、"))
    assert missing == ("学校", "社区")
    visited_on = dt.date.fromisoformat(f"{month}-01") + dt.timedelta(days=20)
    record_visit(register, helper, minor, VisitForm(visited_on, missing, account.name), today=as_of)
    run_models(ws, load_library(ws.models_dir), [VISITS], as_of)

    after = {lead["subject"]: bool(lead["active"]) for lead in list_leads(ws.store, VISITS)}
    assert after[plant.subject] is False  # no longer found: the warning is cleared
    others = {p.subject for p in _plants(built, VISITS, True)} - {plant.subject}
    assert others and all(after[s] for s in others)


def test_the_demo_takes_the_helpers_warning_up_as_a_supervision_item(built: Built, tmp_path: Path):
    root = tmp_path / "workspace"
    shutil.copytree(built.result.workspace.root, root)
    ws = open_workspace(root)
    admin = User(ACCOUNTS[0].name, ws.region.procuratorate_name, None, frozenset({"admin"}))
    head = next(a for a in ACCOUNTS if a.role == "department_head")
    for opened in (ACCOUNTS[0], head):
        add_user(ws.store, admin, opened.name, opened.department, [opened.role],
                 departments_of(ws))  # fmt: skip
    item = open_demo_item(ws, built.manifest)
    assert item is not None
    plant = helper_warning(built.manifest)
    assert plant is not None and item.unit == plant.figures["helper_unit"] == "青岚县妇联"
    user = resolve(ws.store, head.name, ws.region.procuratorate_name)
    opened_item = items.get_item(Register(ws), user, item.item_id, today_in_china())
    assert opened_item["lead_id"] == item.lead_id and opened_item["state"] == "open"
    assert opened_item["name"] == plant.figures["name"]
    assert [e["kind"] for e in opened_item["events"]] == ["opened"]
    assert plant.figures["missing_targets"] in opened_item["events"][0]["text"]
