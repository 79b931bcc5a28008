"""A transfer lead accuses an agency, so its 违法类型 must be one the threshold table names.

`transfer.not_transferred` once sorted penalties by keywords contained in 违法类型: a licensed
tobacco retailer fined for 未在当地烟草批发企业进货 (contains 烟草) became a 非法经营 case "not
transferred", though 〔2011〕刑他字第21号 leaves such conduct to the administration. Now only an
exact type (after the import's normalisation, spaces dropped) leads; a type that merely resembles
one and meets the amount goes to the review list `transfer.review`; a procuratorate extends the
table in shujian.toml, each added type with its source.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from shujian.data.fields.text import normalise_text
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.models.parameters import parameters_in_force
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.workspace import CONFIG_NAME, Workspace, open_workspace

LEADS = "transfer.not_transferred"
REVIEW = "transfer.review"
AS_OF = dt.date(2025, 6, 30)
TABLE = ("fake_goods_types", "tobacco_types", "illegal_business_types")
THRESHOLDS = ("fake_goods_threshold", "tobacco_threshold", "illegal_business_threshold")


def _penalty(number: str, violation: str, amount: str) -> dict[str, str]:
    return {
        "处罚决定书文号": number,
        "执法机关": "青岚县烟草专卖局",
        "当事人": "青岚县和顺便利店",
        "当事人证件号码": "92520203MA6K8PBR9H",
        "违法类型": violation,
        "涉案金额": amount,
        "罚没金额": "8000",
        "处罚日期": "2025-05-12",
    }


def _import_penalties(ws: Workspace, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / "penalties.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()["admin_penalties"],
        path,
        ImportOptions(),
    )
    assert result.rejected == 0


def _found(ws: Workspace, model: str) -> set[str]:
    (outcome,) = run_models(ws, load_library(), [model], AS_OF).outcomes
    return {f.subject for f in outcome.findings}


def _run(ws: Workspace) -> dict[str, set[str]]:
    return {model: _found(ws, model) for model in (LEADS, REVIEW)}


def test_a_licensed_retailer_buying_outside_the_wholesaler_is_no_lead_but_is_reviewed(
    workspace: Workspace, tmp_path: Path
) -> None:
    _import_penalties(
        workspace, tmp_path, [_penalty("青烟罚〔2025〕9号", "未在当地烟草批发企业进货", "80000")]
    )
    assert _found(workspace, LEADS) == set()
    assert _found(workspace, REVIEW) == {"青烟罚〔2025〕9号"}


def test_an_exact_type_still_leads_however_it_is_spelled_and_is_not_reviewed(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [
        _penalty("青烟罚〔2025〕3号", "无烟草专卖零售许可证经营烟草制品零售业务", "50000"),
        _penalty("青烟罚〔2025〕11号", "无烟草专卖零售许可证 经营烟草制品零售业务", "60000"),
        _penalty("青市监罚〔2025〕50号", "生產、銷售偽劣產品", "70000"),
    ]
    _import_penalties(workspace, tmp_path, rows)
    assert _found(workspace, LEADS) == {r["处罚决定书文号"] for r in rows}
    assert _found(workspace, REVIEW) == set()


def test_a_resembling_type_below_the_threshold_is_not_reviewed(
    workspace: Workspace, tmp_path: Path
) -> None:
    _import_penalties(
        workspace, tmp_path, [_penalty("青烟罚〔2025〕13号", "违反规定异地购进卷烟", "49999.99")]
    )
    assert _run(workspace) == {LEADS: set(), REVIEW: set()}


def _with_config(ws: Workspace, extra: str) -> Workspace:
    config = ws.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return open_workspace(ws.root)


OIL_SOURCE = "本院与县商务局、县公安局会签的《行政执法与刑事司法衔接工作办法》第五条"


def test_a_procuratorate_addition_with_its_source_makes_a_new_exact_type(
    workspace: Workspace, tmp_path: Path
) -> None:
    _import_penalties(
        workspace, tmp_path, [_penalty("青商罚〔2025〕2号", "非法经营成品油", "300000")]
    )
    assert _run(workspace) == {LEADS: set(), REVIEW: {"青商罚〔2025〕2号"}}
    ws = _with_config(
        workspace,
        "\n[[additions]]\nparameter = 'illegal_business_types'\n"
        f"value = '非法經營 成品油'\nsource = '{OIL_SOURCE}'\n",
    )
    assert _run(ws) == {LEADS: {"青商罚〔2025〕2号"}, REVIEW: set()}
    spec = load_library()[LEADS]
    param = parameters_in_force(spec, ws.overrides, ws.additions)["illegal_business_types"]
    assert param.value[-1] == "非法经营成品油"
    assert OIL_SOURCE in param.source and param.overridden


def test_an_addition_without_a_source_is_refused(workspace: Workspace) -> None:
    with pytest.raises(UserError, match="缺少必填项：source"):
        _with_config(
            workspace, "\n[[additions]]\nparameter = 'tobacco_types'\nvalue = '无证批发卷烟'\n"
        )


def test_an_addition_to_a_parameter_no_model_declares_is_refused(workspace: Workspace) -> None:
    ws = _with_config(
        workspace,
        "\n[[additions]]\nparameter = 'tobaco_types'\nvalue = '无证批发卷烟'\nsource = 's'\n",
    )
    with pytest.raises(UserError, match="没有模型声明这个参数"):
        run_models(ws, load_library(), [LEADS], AS_OF)


def test_the_lead_model_and_the_review_list_share_one_threshold_table() -> None:
    library = load_library()
    for name in (*TABLE, *THRESHOLDS):
        assert library[LEADS].parameter(name).default == library[REVIEW].parameter(name).default


@pytest.mark.parametrize("name", TABLE)
def test_the_table_is_written_as_cells_are_stored_and_no_type_is_in_two_rows(name: str) -> None:
    """A default that normalisation would change, or with a space, could never match a cell."""
    types = load_library()[LEADS].parameter(name).default
    assert normalise_text(pl.Series(types)).to_list() == types
    assert not any(" " in t for t in types)
    others = {t for n in TABLE if n != name for t in load_library()[LEADS].parameter(n).default}
    assert not set(types) & others
