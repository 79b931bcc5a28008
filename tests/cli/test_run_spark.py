"""`shujian run --engine spark`: the same leads as DuckDB, the same handling of a failing model,
and without pyspark a Chinese message saying how to install it.

The runs share the test run's one Spark session (`spark` in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.test_run_one_model_fails import ending_in, write_logins
from shujian.cli.main import cli
from shujian.models.failures import LOG_NAME

MODEL = "local.netcafe_ids"


def shujian(ws: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws), *args], catch_exceptions=False)


@pytest.fixture
def ws(tmp_path: Path, fixture_csvs) -> Path:
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    fixture_csvs("campus.internet_cafe", tmp_path)
    for dataset in ("schools", "venues"):
        assert shujian(root, "import", dataset, str(tmp_path / f"{dataset}.csv")).exit_code == 0
    return root


def counts(output: str, model: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(model))
    return line.split()[1:]


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_run_on_spark_writes_the_leads_duckdb_finds_unchanged(spark: Any, ws: Path):
    on_spark = shujian(
        ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01", "--engine", "spark"
    )
    assert on_spark.exit_code == 0, on_spark.output
    assert "引擎 spark" in on_spark.output
    found, new = counts(on_spark.output, "campus.internet_cafe")[:2]
    assert int(found) > 0 and new == found
    # DuckDB finds the same leads with the same facts: every one unchanged, none new or gone
    on_duckdb = shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    assert on_duckdb.exit_code == 0, on_duckdb.output
    found_again, new, refreshed, unchanged = counts(on_duckdb.output, "campus.internet_cafe")[:4]
    assert (found_again, new, refreshed, unchanged) == (found, "0", "0", found)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_model_failing_on_spark_fails_alone_and_shows_no_id_number(
    spark: Any, ws: Path, tmp_path: Path
):
    own = Path(__file__).with_name("own_models") / f"{MODEL}.yaml"
    shutil.copy(own, ws / "models" / own.name)
    with_x = ending_in("X")
    logins = write_logins(tmp_path / "logins.csv", [with_x])
    assert shujian(ws, "import", "netcafe_logins", str(logins)).exit_code == 0
    result = shujian(
        ws, "run", "campus.internet_cafe", MODEL, "--as-of", "2026-06-02", "--engine", "spark"
    )
    assert result.exit_code == 2
    [line] = [line for line in result.output.splitlines() if line.startswith(MODEL)]
    assert "运行出错（数据类型转换出错）" in line
    assert "campus.internet_cafe" in result.output
    for leak in (with_x, with_x[:17], "Traceback", "CAST_INVALID_INPUT", "BIGINT"):
        assert leak not in result.output
    log = (ws / "logs" / LOG_NAME).read_text(encoding="utf-8")
    assert "CAST_INVALID_INPUT" in log and len(log.splitlines()) == 1
    assert with_x not in log and with_x[:7] in log


def test_without_pyspark_the_spark_engine_says_how_to_install_it(ws: Path):
    # a fresh interpreter in which `import pyspark` fails, as on an install without the extra
    hide = "import sys; sys.modules['pyspark'] = None; from shujian.cli.main import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", hide, "-w", str(ws), "run", "campus.internet_cafe",
         "--as-of", "2026-06-01", "--engine", "spark"],
        capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "uv sync --extra spark" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
