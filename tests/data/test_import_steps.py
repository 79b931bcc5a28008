"""Each step of the import alone, on small states made by hand, and the order `STEPS` declares.

A state is built as the step before would leave it (only the fields the step reads), so a
failure here points at one step, not at the whole import.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from openpyxl import load_workbook

from shujian.data.datasets import load_datasets
from shujian.data.fields.geo import haversine_m
from shujian.data.importer import import_file
from shujian.data.readers import Grid
from shujian.data.rejections import Rejection
from shujian.data.steps import (
    STEPS,
    ImportOptions,
    ImportRequest,
    ImportState,
    coordinates_to_wgs84,
    digest_halves,
    drop_non_data_rows,
    drop_stored_duplicates,
    keep_last_per_key,
    locate_header,
    occurrence,
    parse_fields,
    read_grid,
    read_stored_keys,
    run_steps,
    split_rejected,
    stored_schema,
    to_stored_shape,
    validate,
)
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.workspace import Workspace, init_workspace

DATASETS = load_datasets()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"

ID_A = "11010519491231002X"  # the GB 11643 example
ID_B = "440524188001010014"  # region 440524 is historical (汕头 潮阳县)
USCC_A = "91110000600037341L"
USCC_B = "91110108551385082Q"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
STAFF_HEADER = [c.label for c in DATASETS["staff_roster"].columns]
STAFF_IDS = [c.id for c in DATASETS["staff_roster"].columns]
WITHOUT_POSITION = {f"c{n}": c for n, c in enumerate(c for c in STAFF_IDS if c != "position")}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return init_workspace(tmp_path_factory.mktemp("steps") / "ws")


@pytest.fixture(scope="module")
def warehouse(ws: Workspace) -> Warehouse:
    """A real, empty warehouse: only `keep_stored_values` and `read_stored_keys` ever read it."""
    return Warehouse(ws.warehouse_dir, ws.store)


def start(
    warehouse: Warehouse, dataset: str, path: Path = Path("报送.csv"), **options: object
) -> ImportState:
    return ImportState(ImportRequest(DATASETS[dataset], path, ImportOptions(**options), warehouse))


def grid(*rows: list[str | None], first_row: int = 1) -> Grid:
    """Cells as a reader leaves them: text or null, columns c0…cN, the file's row numbers."""
    width = max(len(r) for r in rows)
    frame = pl.DataFrame(
        [[*r, *[None] * (width - len(r))] for r in rows],
        schema={f"c{i}": pl.Utf8 for i in range(width)},
        orient="row",
    )
    numbers = pl.Series("row", range(first_row, first_row + len(rows)), dtype=pl.Int64)
    return Grid(frame=frame, row_numbers=numbers)


def with_body(state: ImportState, columns: dict[str, list[str | None]]) -> ImportState:
    """The state as `drop_non_data_rows` leaves it: data rows from row 2, one per value."""
    n = len(next(iter(columns.values())))
    body = pl.DataFrame(
        {f"c{i}": pl.Series(v, dtype=pl.Utf8) for i, v in enumerate(columns.values())}
    )
    return ImportState(
        state.request,
        columns={f"c{i}": col_id for i, col_id in enumerate(columns)},
        body=body,
        rows=pl.Series("row", range(2, 2 + n), dtype=pl.Int64),
    )


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


# ----------------------------------------------------------------------------- read_grid


def test_read_grid_decodes_gbk_and_keeps_the_title_row_and_row_numbers(warehouse, tmp_path):
    path = write_csv(
        tmp_path / "从业人员.csv",
        [["青嵐縣從業人員名單"], STAFF_HEADER, ["青岚县第一小学", USCC_A, "学校", "張偉", ID_A]],
        "gbk",
    )
    got = read_grid(start(warehouse, "staff_roster", path)).grid
    assert got.encoding == "gb18030"
    assert got.frame["c0"].to_list() == ["青嵐縣從業人員名單", "单位名称", "青岚县第一小学"]
    assert got.frame["c3"].to_list() == [None, "姓名", "張偉"]  # text as written: not yet parsed
    assert got.row_numbers.to_list() == [1, 2, 3]


def test_read_grid_marks_an_id_number_excel_held_as_a_number(warehouse, tmp_path):
    path = tmp_path / "从业人员.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名单")
    for j, header in enumerate(STAFF_HEADER):
        sheet.write_string(0, j, header)
    sheet.write_string(1, 3, "王芳")
    sheet.write_number(1, 4, int(ID_B))  # typed into a numeric cell: Excel keeps 15 digits
    book.close()
    got = read_grid(start(warehouse, "staff_roster", path)).grid
    assert got.sheet == "名单"
    (cell,) = got.frame["c4"].slice(1).to_list()
    assert re.fullmatch(r"4\.4052418800101\d*E\+17", cell)


# ----------------------------------------------------------------------------- locate_header


@pytest.mark.parametrize(
    ("cells", "mapping", "header_at", "columns", "extras"),
    [
        pytest.param(
            [["青岚县2024年从业人员名单"], STAFF_HEADER],
            {},
            1,
            {f"c{i}": column_id for i, column_id in enumerate(STAFF_IDS)},
            {},
            id="title row above the header",
        ),
        pytest.param(
            [["机构名称", "单位信用代码", "机构类别", "人员姓名", "证件号码", "聘用日期", "备注"]],
            {},
            0,
            WITHOUT_POSITION,
            {"c6": "备注"},
            id="aliases, and an extra column kept by its header",
        ),
        pytest.param(
            [["单位", "代码", "单位类别", "姓名", "身份证号", "入职日期"]],
            {"单位": "单位名称", "代码": "employer_uscc"},
            0,
            WITHOUT_POSITION,
            {},
            id="--map by label or by column id",
        ),
    ],
)
def test_locate_header(warehouse, cells, mapping, header_at, columns, extras):
    state = ImportState(
        start(warehouse, "staff_roster", mapping=mapping).request, grid=grid(*cells)
    )
    got = locate_header(state)
    assert (got.header_at, dict(got.columns), dict(got.extras)) == (header_at, columns, extras)


@pytest.mark.parametrize(
    ("cells", "mapping", "message"),
    [
        (
            [["单位名称", "单位统一社会信用代码", "姓名", "身份证号"]],
            {},
            "必填列：单位类别、入职日期。整份文件未导入",
        ),
        ([["甲", "乙"], ["1", "2"]], {}, "找不到“从业人员名单（密切接触未成年人单位）”的表头"),
        ([STAFF_HEADER], {"单位": "不存在的字段"}, "没有名为“不存在的字段”的字段"),
    ],
)
def test_locate_header_refuses_the_whole_file(warehouse, cells, mapping, message):
    state = ImportState(
        start(warehouse, "staff_roster", mapping=mapping).request, grid=grid(*cells)
    )
    with pytest.raises(UserError, match=re.escape(message)):
        locate_header(state)


# ----------------------------------------------------------------------------- drop_non_data_rows


def test_blank_and_totals_rows_are_dropped_and_the_totals_row_reported(warehouse):
    state = ImportState(
        start(warehouse, "staff_roster").request,
        grid=grid(
            ["青岚县从业人员名单"],
            STAFF_HEADER,
            ["青岚县第一小学", USCC_A, "学校", "王芳", ID_A, "教师", "2020-09-01"],
            [None, "  ", None, None, None, None, None],
            ["青岚县第二小学", USCC_B, "学校", "李娜", ID_B, "保安", "2021-03-01"],
            ["合计：2人"],
        ),
        header_at=1,
    )
    got = drop_non_data_rows(state)
    assert got.body["c3"].to_list() == ["王芳", "李娜"]
    assert got.rows.to_list() == [3, 5]
    assert got.skipped == ({"row": 6, "reason": "合计/总计行，不是数据行，已跳过"},)


# ----------------------------------------------------------------------------- parse_fields


@pytest.mark.parametrize(
    ("column", "cell", "value", "reason"),
    [
        ("id_card", ID_A.translate(FULL_WIDTH), ID_A, None),
        ("id_card", ID_A.lower(), ID_A, None),
        ("id_card", "4.40524188001010E+17", None, "被Excel存成了数字"),
        ("id_card", ID_A[:-1] + "3", None, "校验码错误"),
        ("employer_uscc", f" {USCC_A.lower()} ", USCC_A, None),
        ("name", "張  偉", "张 伟", None),
        ("hired_on", "2020年9月1日", "2020-09-01", None),
        ("hired_on", "2020-02-30", None, "不存在"),
        ("employer_type", "小学", "小学", None),  # a synonym is the vocabulary's business
    ],
)
def test_parse_fields(warehouse, column, cell, value, reason):
    got = parse_fields(with_body(start(warehouse, "staff_roster"), {column: [cell]}))
    parsed, error = got.values[column][0], got.errors[column][0]
    assert (str(parsed) if parsed is not None else None) == value
    assert (error is None) if reason is None else (reason in error)


# ----------------------------------------------------------------------------- validate


def test_validate_maps_synonyms_refuses_other_values_and_empty_required_cells(warehouse):
    state = with_body(
        start(warehouse, "staff_roster"),
        {"employer_type": ["小学", "网吧", "学校", None], "position": ["教师", None, None, None]},
    )
    state = replace(
        state,
        values={
            "employer_type": pl.Series(["小学", "网吧", "学校", None]),
            "position": pl.Series(["教师", None, None, None]),
        },
        errors={
            "employer_type": pl.Series([None, None, None, None], dtype=pl.Utf8),
            "position": pl.Series([None, None, None, None], dtype=pl.Utf8),
        },
    )
    got = validate(state)
    assert got.values["employer_type"].to_list() == ["学校", "网吧", "学校", None]
    errors = got.errors["employer_type"].to_list()
    assert errors[0] is None and errors[2] is None
    assert errors[1].startswith("“网吧”不是规定的单位类别（应为：学校、幼儿园")
    assert errors[3] == "必填项为空"
    assert got.errors["position"].to_list() == [None] * 4  # optional: empty is fine
    assert state.values["employer_type"][0] == "小学"  # the state given is left as it was


def _validated(warehouse, dataset: str, column: str, cells: list[str | None]) -> ImportState:
    state = with_body(start(warehouse, dataset), {column: cells})
    return validate(
        replace(
            state,
            values={column: pl.Series(cells, dtype=pl.Utf8)},
            errors={column: pl.Series([None] * len(cells), dtype=pl.Utf8)},
        )
    )


@pytest.mark.parametrize(
    ("cell", "value", "reason"),
    [
        ("家长", "家庭", None),
        ("学校老师或同学", "学校", None),
        ("社区(村)负责人", "社区", None),
        ("居委会", "社区", None),
        ("家长,老师,家长", "家庭、学校", None),  # distinct, in the declared order
        ("村委会、本人", "本人、社区", None),
        ("本人 家庭成员/同学;村", "本人、家庭、学校、社区", None),
        ("家长、邻居", None, "“邻居”不是规定的走访对象（应为：本人、家庭、学校、社区）"),
        ("、", None, "“、”中没有可识别的走访对象"),
    ],
)
def test_a_list_column_is_checked_item_by_item(warehouse, cell, value, reason):
    got = _validated(warehouse, "minor_visits", "target", [cell])
    assert got.values["target"].to_list() == [value]
    assert got.errors["target"].to_list() == [reason]


def test_a_list_item_naming_two_values_is_refused_with_its_question(warehouse):
    got = _validated(
        warehouse, "minor_conduct", "measures", ["训诫、专门教育", "赔礼道歉，赔偿损失"]
    )
    assert got.values["measures"].to_list() == [None, "责令赔礼道歉、责令赔偿损失"]
    reason = got.errors["measures"][0]
    assert "送专门学校" in reason and "专门矫治教育" in reason


def test_a_code_vocabulary_names_each_code_with_its_chinese_name(warehouse):
    got = _validated(warehouse, "key_minors", "category", ["困境留守", "single_parent", "留守"])
    assert got.values["category"].to_list()[:2] == ["care_gap", "single_parent"]
    reason = got.errors["category"][2]
    assert reason.startswith(
        "“留守”不是规定的类别（应为：单亲、离异家庭未成年人（single_parent）；"
    )
    assert "社区矫正和刑满释放未成年人（corrections）" in reason


def test_an_empty_required_cell_is_reported_as_empty_before_any_other_reason(warehouse):
    """An empty cell has no value (every field type's contract: tests/data/fields); a reason
    of its type's is replaced by this one, and a cell with a value is not looked at."""
    state = with_body(start(warehouse, "staff_roster"), {"employer_type": ["  ", "幼儿园"]})
    state = replace(
        state,
        values={"employer_type": pl.Series([None, "幼儿园"], dtype=pl.Utf8)},
        errors={"employer_type": pl.Series(["另一个原因", None])},
    )
    assert validate(state).errors["employer_type"].to_list() == ["必填项为空", None]


# ----------------------------------------------------------------------------- coordinates


BEIJING_WGS = (116.377817, 39.911954)  # googollee/eviltransform's test vector
BEIJING_GCJ = (116.38404722455657, 39.91334545536069)


def coordinates_state(warehouse, rows_crs: list[str | None], **options: object) -> ImportState:
    n = len(rows_crs)
    return ImportState(
        start(warehouse, "schools", **options).request,
        body=pl.DataFrame({"c0": [None] * n}, schema={"c0": pl.Utf8}),
        values={
            "lon": pl.Series("lon", [BEIJING_GCJ[0]] * n),
            "lat": pl.Series("lat", [BEIJING_GCJ[1]] * n),
            "crs": pl.Series("crs", rows_crs, dtype=pl.Utf8),
        },
    )


def test_gcj02_coordinates_become_wgs84_and_the_file_s_are_kept(warehouse):
    got = coordinates_to_wgs84(coordinates_state(warehouse, ["GCJ02", "WGS84"]))
    lon, lat = got.values["lon"], got.values["lat"]
    assert haversine_m(lon[0], lat[0], *BEIJING_WGS) < 1.0
    assert (lon[1], lat[1]) == BEIJING_GCJ  # WGS84: unchanged
    assert got.values["crs"].to_list() == ["GCJ02", "WGS84"]
    assert got.values["lon_source"].to_list() == [BEIJING_GCJ[0]] * 2
    assert got.values["lat_source"].to_list() == [BEIJING_GCJ[1]] * 2


def test_crs_option_is_the_default_for_rows_without_one(warehouse):
    got = coordinates_to_wgs84(coordinates_state(warehouse, [None, "WGS84"], crs="火星坐标"))
    assert got.values["crs"].to_list() == ["GCJ02", "WGS84"]
    assert haversine_m(got.values["lon"][0], got.values["lat"][0], *BEIJING_WGS) < 1.0


def test_an_unknown_crs_option_refuses_the_file(warehouse):
    with pytest.raises(UserError, match="可选：WGS84、GCJ02、BD09"):
        coordinates_to_wgs84(coordinates_state(warehouse, [None], crs="某坐标"))


def test_a_dataset_without_coordinates_passes_through(warehouse):
    state = with_body(start(warehouse, "staff_roster"), {"name": ["王芳"]})
    assert coordinates_to_wgs84(state) is state


# ----------------------------------------------------------------------------- stored shape


def test_to_stored_shape_puts_raw_text_row_extras_and_key_beside_the_values(warehouse):
    state = with_body(
        start(warehouse, "staff_roster"), {"employer_uscc": [USCC_A.lower()], "id_card": [ID_A]}
    )
    state = replace(
        state,
        extras={"c2": "备注"},
        body=state.body.with_columns(c2=pl.lit("临聘")),
        values={"employer_uscc": pl.Series([USCC_A]), "id_card": pl.Series([ID_A])},
    )
    table = to_stored_shape(state).table
    assert table.columns == [c for c in stored_schema(DATASETS["staff_roster"]) if c != "_batch"]
    row = table.row(0, named=True)
    assert (row["employer_uscc"], row["employer_uscc__raw"]) == (USCC_A, USCC_A.lower())
    assert row["name"] is None and row["name__raw"] is None  # a column the file lacks
    assert (row["_row"], row["_extra"]) == (2, '{"备注":"临聘"}')
    assert row["_record_key"] == f"{USCC_A}\x1f{ID_A}"  # a snapshot's record key


def test_an_event_s_key_is_its_content_and_its_occurrence(warehouse):
    state = with_body(start(warehouse, "hotel_checkins"), {"room_no": ["801", "801", "802"]})
    state = replace(
        state,
        values={"room_no": pl.Series(["801", "801", "802"])},
    )
    keys = to_stored_shape(state).table["_record_key"].to_list()
    assert keys[0].endswith("#1") and keys[1] == keys[0][:-1] + "2" and keys[2].endswith("#1")
    assert keys[0][:32] != keys[2][:32]


def test_an_event_s_key_is_the_md5_of_its_content_and_its_occurrence_in_file_order(warehouse):
    """Against an oracle written apart from the code: hashlib's md5 of the columns' text joined
    by U+001F (an empty cell as NUL), then "#" and the n-th time that content appears. Keys must
    never change: they are compared with events stored by earlier releases."""
    rooms = [str(800 + (i * 7) % 13) for i in range(300)]  # each room several times, interleaved
    state = with_body(start(warehouse, "hotel_checkins"), {"room_no": rooms})
    state = replace(state, values={"room_no": pl.Series(rooms)})
    keys = to_stored_shape(state).table["_record_key"].to_list()
    columns = [c.id for c in DATASETS["hotel_checkins"].columns]
    seen: dict[str, int] = {}
    expected = []
    for room in rooms:
        text = "\x1f".join(room if c == "room_no" else "\x00" for c in columns)
        seen[text] = seen.get(text, 0) + 1
        expected.append(f"{hashlib.md5(text.encode()).hexdigest()}#{seen[text]}")
    assert keys == expected


@pytest.mark.parametrize(
    ("digests", "expected"),
    [
        (["a", "b", "c"], ["1", "1", "1"]),
        (["a", "b", "a", "a", "b"], ["1", "1", "2", "3", "2"]),
        ([], []),
    ],
)
def test_occurrences_count_from_one_in_file_order(digests, expected):
    md5 = [hashlib.md5(d.encode()).hexdigest() for d in digests]
    assert occurrence(pl.Series(md5, dtype=pl.Utf8)).to_list() == expected


# ----------------------------------------------------------------------------- split_rejected


def test_a_row_with_any_refused_cell_is_rejected_and_each_cell_reported(warehouse):
    state = with_body(
        start(warehouse, "staff_roster"),
        {"id_card": ["坏号码", ID_A, ID_B], "hired_on": ["2020-02-30", "2020-09-01", "某天"]},
    )
    state = replace(
        state,
        errors={
            "id_card": pl.Series(["含有不允许的字符", None, None]),
            "hired_on": pl.Series(["出生日期不存在", None, "不是日期"]),
        },
        table=pl.DataFrame({"_row": [2, 3, 4]}),
    )
    got = split_rejected(state)
    assert got.table["_row"].to_list() == [3]
    assert got.rejected == 2
    assert got.rejections == (
        Rejection(row=2, column="入职日期", value="2020-02-30", reason="出生日期不存在"),
        Rejection(row=2, column="公民身份号码", value="坏号码", reason="含有不允许的字符"),
        Rejection(row=4, column="入职日期", value="某天", reason="不是日期"),
    )


# ----------------------------------------------------------------------------- keys


def test_a_registry_listing_a_record_twice_keeps_the_later_row_and_reports_the_earlier(warehouse):
    keys = [f"{USCC_A}\x1f{ID_A}", f"{USCC_A}\x1f{ID_B}", f"{USCC_A}\x1f{ID_A}"]
    state = ImportState(
        start(warehouse, "staff_roster").request,
        table=pl.DataFrame({"_record_key": keys, "_row": [3, 4, 7]}),
        skipped=({"row": 9, "reason": "合计/总计行，不是数据行，已跳过"},),
    )
    got = keep_last_per_key(state)
    assert got.table["_row"].to_list() == [4, 7]
    assert got.skipped[1:] == (
        {"row": 3, "reason": "与第7行的单位统一社会信用代码、公民身份号码相同，以后出现的一行为准"},
    )


def test_events_are_not_de_duplicated_within_a_file(warehouse):
    state = ImportState(
        start(warehouse, "hotel_checkins").request,
        table=pl.DataFrame({"_record_key": ["k#1", "k#1"], "_row": [2, 3]}),
    )
    assert keep_last_per_key(state) is state


def test_events_already_stored_are_dropped_and_counted(warehouse):
    state = ImportState(
        start(warehouse, "hotel_checkins").request,
        table=pl.DataFrame({"_record_key": ["a#1", "b#1", "a#2"], "_row": [2, 3, 4]}),
        stored_keys=pl.Series(["a#1", "c#1"]),
    )
    got = drop_stored_duplicates(state)
    assert (got.table["_row"].to_list(), got.duplicates) == ([3, 4], 1)


def test_read_stored_keys_reads_events_only(ws, tmp_path):
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    first = write_csv(
        tmp_path / "住宿.csv",
        [
            ["旅馆名称", "旅馆统一社会信用代码", "房间号", "姓名", "公民身份号码", "入住时间"],
            ["青岚宾馆", USCC_A, "801", "王芳", ID_A, "2024-05-01 21:00"],
        ],
    )
    import_file(warehouse, ws.reports_dir, DATASETS["hotel_checkins"], first)
    (stored,) = warehouse.read_column("hotel_checkins", "_record_key").to_list()
    assert stored.endswith("#1")
    # only the stored keys the new rows have too are read
    table = pl.DataFrame({"_record_key": ["x", stored]})
    events = read_stored_keys(ImportState(start(warehouse, "hotel_checkins").request, table=table))
    assert events.stored_keys.to_list() == [stored]
    table = pl.DataFrame({"_record_key": ["x"]})
    none = read_stored_keys(ImportState(start(warehouse, "hotel_checkins").request, table=table))
    assert none.stored_keys.is_empty()
    snapshot = ImportState(start(warehouse, "staff_roster").request, table=table)
    assert read_stored_keys(snapshot) is snapshot


# ----------------------------------------------------------------------------- the order


STEP_NAMES = [
    "read_grid",
    "locate_header",
    "drop_non_data_rows",
    "add_constants",
    "require_crs",
    "parse_fields",
    "validate",
    "coordinates_to_wgs84",
    "to_stored_shape",
    "split_rejected",
    "keep_last_per_key",
    "keep_stored_values",
    "read_stored_keys",
    "drop_stored_duplicates",
]


def test_the_steps_are_declared_in_this_order():
    assert [step.__name__ for step in STEPS] == STEP_NAMES


def test_docs_list_every_step_in_the_declared_order():
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## The steps", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\d+\. `(\w+)`", section, flags=re.MULTILINE)
    assert listed == [step.__name__ for step in STEPS]


def messy_schools(path: Path, sheet: str = "学校") -> Path:
    """A school list as an education bureau sends it: title row, synonyms, GCJ-02 points,
    a bad code, a blank row, a record listed twice and a totals row."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(sheet)
    rows = [
        ["青岚县2024年学校名录"],
        ["学校名称", "办学类型", "统一社会信用代码", "经度", "纬度", "坐标类型", "备注"],
        ["青岚县第一小学", "小学", USCC_A, "116.38404722455657", "39.91334545536069", "高德", ""],
        ["青嵐縣特殊教育學校", "特教学校", USCC_B, "116.40", "39.90", "WGS84", "新建"],
        ["青岚县职业学校", "技校", "91110000600037341X", "116.41", "39.91", "", ""],
        [],
        ["青岚县第一小学（新址）", "小学", USCC_A, "116.39", "39.92", "", ""],
        ["合计", "3所"],
    ]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            sheet.write_string(i, j, cell)
    book.close()
    return path


def test_each_step_s_state_feeds_the_next_and_import_file_runs_exactly_these(ws, tmp_path):
    path = messy_schools(tmp_path / "学校.xlsx")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    state = start(warehouse, "schools", path, crs="WGS84")
    seen = []
    for step in STEPS:
        given = state
        state = step(state)
        seen.append(step.__name__)
        assert given.request is state.request
    assert seen == STEP_NAMES
    assert state.header_at == 1 and dict(state.extras) == {"c6": "备注"}
    assert [s["row"] for s in state.skipped] == [8, 3]  # the totals row, then the superseded row
    assert [(r.row, r.column) for r in state.rejections] == [
        (5, "学校类型"),
        (5, "统一社会信用代码"),
    ]
    assert state.table["_row"].to_list() == [4, 7]
    assert state.table["name"].to_list() == ["青岚县特殊教育学校", "青岚县第一小学(新址)"]
    assert state.table["school_type"].to_list() == ["特殊教育学校", "小学"]
    assert run_steps(start(warehouse, "schools", path, crs="WGS84")).table.equals(state.table)

    options = ImportOptions(crs="WGS84")
    result = import_file(warehouse, ws.reports_dir, DATASETS["schools"], path, options)
    stored = pl.read_parquet(warehouse.files("schools")[-1])
    assert stored.drop("_batch").equals(state.table)
    assert (result.rows_read, result.imported, result.rejected, result.skipped) == (
        state.body.height,
        state.table.height,
        state.rejected,
        len(state.skipped),
    )
    assert result.header_row == 2 and result.extra_columns == ["备注"]
    report = load_workbook(result.report, read_only=True)
    assert [tuple(r)[:2] for r in report["退回记录"].iter_rows(min_row=2, values_only=True)] == [
        (r.row, r.column) for r in state.rejections
    ]


def test_a_report_that_cannot_be_written_leaves_no_batch_and_no_file(ws, tmp_path):
    """The report is written inside the batch's transaction: without it there is no batch."""
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    before = (warehouse.batches(), sorted(ws.warehouse_dir.rglob("*.parquet")))
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the reports folder should be")
    path = messy_schools(tmp_path / "学校.xlsx", sheet="学校名录")  # not imported yet
    with pytest.raises(OSError):
        import_file(warehouse, blocked, DATASETS["schools"], path)
    assert (warehouse.batches(), sorted(ws.warehouse_dir.rglob("*.parquet"))) == before
    assert not list((ws.warehouse_dir / ".journal").glob("*"))
    assert import_file(warehouse, ws.reports_dir, DATASETS["schools"], path).batch_id is not None


@pytest.mark.parametrize(
    "digests",
    [
        [],
        ["0" * 32 + "#1"],
        ["f" * 32 + "#12", "8000000000000000" + "0000000000000001" + "#1"],
        [hashlib.md5(str(i).encode()).hexdigest() + "#1" for i in range(50)],
    ],
)
def test_digest_halves_are_the_two_64_bit_numbers_of_the_digest(digests):
    halves = digest_halves(pl.Series(digests, dtype=pl.Utf8))
    assert halves.schema == {"hi": pl.UInt64, "lo": pl.UInt64}
    assert list(halves.iter_rows()) == [(int(d[:16], 16), int(d[16:32], 16)) for d in digests]


def test_a_digest_that_is_not_32_hexadecimal_digits_is_refused():
    with pytest.raises(ValueError):
        digest_halves(pl.Series(["abc#1"]))
