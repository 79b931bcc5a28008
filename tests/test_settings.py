"""shujian.toml is read against the declared settings: a typo is refused, never ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from shujian.errors import UserError
from shujian.settings import ARRAYS, SETTINGS, documentation
from shujian.workspace import CONFIG_NAME, init_workspace, open_workspace

DOCS = Path(__file__).parents[1] / "docs" / "settings.md"


def _with(tmp_path: Path, extra: str) -> Path:
    ws = init_workspace(tmp_path / "ws")
    ws.store.dispose()
    config = ws.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return ws.root


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[recommendations]\nobjection_day = 7\n", "没有“objection_day”这一项。是否想写“objection_days”"),
        ("[triage]\ndismiss_reason = ['其他']\n", "是否想写“dismiss_reasons”"),
        ("[recomendations]\ncontact = '张某'\n", "是否想写“recommendations”"),
        ("[recommendations]\nobjection_days = '七'\n", "objection_days 应当是整数"),
        ("[[overrides]]\nmodel = 'campus.internet_cafe'\nparameter = 'distance_m'\nvalue = 250\n",
         "缺少必填项：source"),
        ("[[overrides]]\nmodel = 'a.b'\nparameter = 'x'\nvalue = 1\nsource = 's'\nnote = 'n'\n",
         "没有“note”这一项"),
        ("[engine.spark]\nmastr = 'yarn'\n", r"\[engine.spark\] 中没有“mastr”这一项。是否想写“master”"),
        ("[engine.sprak]\nmaster = 'yarn'\n", "没有“engine.sprak”这一项"),
        ("[engine.spark]\nshuffle_partitions = 0\n", "shuffle_partitions 应为 1 至 100000"),
        ("[engine.spark]\nmaster = 'sc://10.1.2.3:99999'\n",
         "master 不是有效的 Spark Connect 地址：端口应为 1 至 65535 的整数"),
        ("[engine.spark]\nmaster = 'sc://:15002'\n", "不是有效的 Spark Connect 地址：缺少主机名"),
        ("[engine.spark]\nmaster = 'sc://spark-head:15002/shujian'\n", "不能有路径（“/shujian”）"),
        ("[engine.spark]\nmaster = 'sc://spark-head:15002/;token'\n", "参数“token”应写成 名称=值"),
    ],
)  # fmt: skip
def test_an_unknown_or_mistyped_setting_is_refused_with_its_place(
    tmp_path: Path, extra: str, message: str
) -> None:
    root = _with(tmp_path, extra)
    with pytest.raises(UserError, match=message):
        open_workspace(root)


def test_a_declared_setting_is_read_and_a_missing_one_has_its_default(tmp_path: Path) -> None:
    ws = open_workspace(_with(tmp_path, "[recommendations]\nobjection_days = 7\n"))
    assert ws.setting("recommendations.objection_days") == 7
    assert ws.setting("recommendations.contact") == ""
    assert ws.setting("triage.dismiss_reasons") is None


def test_the_spark_settings_are_read_from_their_nested_table(tmp_path: Path) -> None:
    from shujian.engine.spark import SparkSettings

    ws = open_workspace(
        _with(
            tmp_path,
            "[engine.spark]\nmaster = 'sc://10.1.2.3:15002'\nshuffle_partitions = 64\n"
            "[engine.spark.conf]\n'spark.executor.cores' = '4'\n",
        )
    )
    settings = SparkSettings.of(ws.setting)
    assert settings.connect and settings.shuffle_partitions == 64
    assert settings.driver_memory == "2g"  # the default
    options = settings.options()
    assert options["spark.executor.cores"] == "4"
    assert options["spark.sql.shuffle.partitions"] == "64"
    # a Spark Connect session takes the session's settings only: memory, the application's
    # name and its web UI are the server's, fixed when it started
    for fixed in (
        "spark.driver.memory",
        "spark.executor.memory",
        "spark.app.name",
        "spark.ui.enabled",
    ):
        assert fixed not in options
    assert options["spark.sql.runSQLOnFiles"] == "false"  # the views only, no file by path
    assert options["spark.sql.ansi.enabled"] == "true"
    assert options["spark.sql.session.timeZone"] == "Asia/Shanghai"
    local = SparkSettings(master="local[2]", driver_memory="3g").options()
    assert local["spark.driver.memory"] == "3g" and local["spark.ui.enabled"] == "false"


def test_a_refused_connect_address_is_shown_without_its_token(tmp_path: Path) -> None:
    root = _with(tmp_path, "[engine.spark]\nmaster = 'sc://h:0/;token=s3cret;use_ssl=true'\n")
    with pytest.raises(UserError) as refused:
        open_workspace(root)
    assert "sc://h:0/;token=…;use_ssl=true" in refused.value.message
    assert "s3cret" not in refused.value.message


@pytest.mark.parametrize(
    "master", ["local[*]", "yarn", "sc://10.1.2.3", "sc://spark-head:15002/;token=abc;use_ssl=true"]
)
def test_a_spark_master_or_connect_address_is_accepted(tmp_path: Path, master: str) -> None:
    ws = open_workspace(_with(tmp_path, f"[engine.spark]\nmaster = '{master}'\n"))
    assert ws.setting("engine.spark.master") == master


def test_the_cluster_reads_the_warehouse_files_from_the_shared_location(tmp_path: Path) -> None:
    from shujian.engine.spark import cluster_path

    root = tmp_path / "warehouse"
    batch = root / "hotel_checkins" / "batch-000012.parquet"
    assert cluster_path(batch, root, "") == str(batch)
    assert (
        cluster_path(batch, root, "hdfs://nn:8020/shujian/warehouse/")
        == "hdfs://nn:8020/shujian/warehouse/hotel_checkins/batch-000012.parquet"
    )


def test_a_region_code_that_is_no_county_is_refused(tmp_path: Path) -> None:
    root = _with(tmp_path, "")
    config = root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8").replace('code = ""', 'code = "520299"'))
    with pytest.raises(UserError, match="不是有效的行政区划代码"):
        open_workspace(root)


def test_every_setting_is_documented_as_declared() -> None:
    assert documentation() in DOCS.read_text(encoding="utf-8")
    assert len(SETTINGS) + sum(map(len, ARRAYS.values())) == documentation().count("\n") - 2
