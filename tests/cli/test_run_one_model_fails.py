"""`shujian run --all` when one of the procuratorate's own models fails while it runs: the others
run and write their leads, the failed one is named in Chinese without any of its data (DuckDB's
message quotes the ID number it could not convert), its leads stay as they were, and the command
exits non-zero at the end."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from juvenile.people import id_card
from shujian.audit import audit_log
from shujian.cli.main import cli
from shujian.models.failures import LOG_NAME, failure_of, masked
from shujian.workspace import open_workspace

MODEL = "local.netcafe_ids"
CAFE_USCC = "91110000600037341L"


def shujian(ws: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws), *args], catch_exceptions=False)


def ending_in(letter: str) -> str:
    for serial in range(1000):
        number = id_card(dt.date(2010, 3, 7), serial=serial)
        if number[-1] == letter:
            return number
    raise AssertionError(letter)


def ending_in_digit() -> str:
    for serial in range(1000):
        number = id_card(dt.date(2011, 5, 9), serial=serial)
        if number[-1].isdigit():
            return number
    raise AssertionError("digit")


def write_logins(path: Path, numbers: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["场所名称", "场所统一社会信用代码", "姓名", "公民身份号码", "上机时间"])
        for i, number in enumerate(numbers):
            out.writerow(["星空网吧", CAFE_USCC, f"张某{i}", number, f"2026-05-0{i + 1} 20:00:00"])
    return path


@pytest.fixture
def ws(tmp_path: Path, fixture_csvs) -> Path:
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    fixture_csvs("campus.internet_cafe", tmp_path)
    for dataset in ("schools", "venues"):
        assert shujian(root, "import", dataset, str(tmp_path / f"{dataset}.csv")).exit_code == 0
    own = Path(__file__).with_name("own_models") / f"{MODEL}.yaml"
    shutil.copy(own, root / "models" / own.name)
    return root


def test_a_model_failing_at_run_time_fails_alone_and_shows_no_id_number(ws: Path, tmp_path: Path):
    digits = ending_in_digit()
    first = write_logins(tmp_path / "logins1.csv", [digits])
    result = shujian(ws, "import", "netcafe_logins", str(first), "--json")
    assert result.exit_code == 0, result.output
    result = shujian(ws, "run", MODEL, "--as-of", "2026-06-01")
    assert result.exit_code == 0, result.output
    before = leads_of(ws)
    assert [r["active"] for r in before[MODEL]] == [True]
    assert "campus.internet_cafe" not in before

    # the agency's next export holds a number ending in X: CAST(... AS BIGINT) now fails
    with_x = ending_in("X")
    second = write_logins(tmp_path / "logins2.csv", [digits, with_x])
    assert shujian(ws, "import", "netcafe_logins", str(second)).exit_code == 0
    result = shujian(ws, "run", "--all", "--as-of", "2026-06-02")

    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith(MODEL)]
    assert len(lines) == 1 and "运行出错（数据类型转换出错）" in lines[0]
    assert "1 个模型运行出错：local.netcafe_ids" in result.output
    assert "campus.internet_cafe" in result.output
    for leak in (with_x, with_x[:17], digits, "Traceback", "Conversion", "INT64", "BIGINT"):
        assert leak not in result.output

    after = leads_of(ws)
    # the other models ran and wrote; the failed model's lead is not 不再命中
    assert len(after["campus.internet_cafe"]) == 2
    assert [r["active"] for r in after[MODEL]] == [True]

    entry = last_run_entry(ws)
    assert entry["failed"] == {MODEL: "conversion"}
    assert MODEL not in entry["models"] and "campus.internet_cafe" in entry["models"]

    log = (ws / "logs" / LOG_NAME).read_text(encoding="utf-8")
    assert MODEL in log and "ConversionException" in log
    assert with_x not in log and with_x[:7] in log  # masked, region and birth year kept


def leads_of(ws: Path) -> dict[str, list[dict]]:
    out = shujian(ws, "leads", "export", "--format", "jsonl")
    assert out.exit_code == 0, out.output
    grouped: dict[str, list[dict]] = {}
    for line in out.output.strip().splitlines():
        record = json.loads(line)
        grouped.setdefault(record["model"], []).append(record)
    return grouped


def last_run_entry(ws: Path) -> dict:
    store = open_workspace(ws).store
    with store.connect() as conn:
        row = conn.execute(
            select(audit_log.c.detail)
            .where(audit_log.c.action == "run_models")
            .order_by(audit_log.c.seq.desc())
        ).first()
    assert row is not None
    return dict(json.loads(row.detail))


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("SELECT CAST('52020320100307123X' AS INTEGER)", "conversion"),
        ("SELECT no_such_column FROM range(1)", "query"),
        ("SELECT 2147483647::INTEGER + 1", "out_of_range"),
        ("SELECT * FROM read_parquet('/no/such/folder/x.parquet')", "io"),
    ],
)
def test_failure_of_names_the_kind_of_error(sql: str, code: str):
    import duckdb

    with pytest.raises(duckdb.Error) as caught:
        duckdb.sql(sql).fetchall()
    failure = failure_of(caught.value)
    assert failure is not None and failure.code == code
    assert "52020320100307123X" not in failure.message and "Error" not in failure.message


def test_an_error_that_is_not_the_querys_is_not_swallowed():
    assert failure_of(KeyError("x")) is None
    assert failure_of(ZeroDivisionError()) is None


def test_masked_hides_every_id_number_and_keeps_one_line():
    text = "Could not convert string '52020320100307123X' to INT32\nLINE 1: 110101199003071234"
    out = masked(text)
    assert "52020320100307123X" not in out and "110101199003071234" not in out
    assert "\n" not in out and "5202032" in out
    named = masked("Could not convert string '青岚县民族高级中学' to INT32")
    assert "青岚" not in named and "'<9 characters>'" in named
