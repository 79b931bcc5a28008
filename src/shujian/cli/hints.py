"""What the command line adds to a refusal: the command that resolves it.

Services refuse with a Chinese message and a code (`UserError.code`), never naming a command or a
flag, because the web application resolves the same refusal with a page or a link. Here the
command line says which command to type.
"""

from __future__ import annotations

HINTS: dict[str, str] = {
    "not_a_workspace": "新建工作区：shujian init 目录；已有工作区用 -w 目录 或环境变量 SHUJIAN_WORKSPACE 指定。",
    "store_empty": "新建工作区请运行 shujian init；已有工作区改用新数据库时，管理员运行 shujian db upgrade 建表。",
    "store_behind": "备份案件库后，管理员运行 shujian db upgrade；shujian db version 显示当前版本。",
    "store_unadoptable": "shujian db version 显示案件库的版本。",
    "workspace_mismatch": "新建工作区：shujian init 目录。",
    "unknown_model": "用 shujian models list 查看全部模型。",
    "unknown_dataset": "用 shujian datasets list 查看全部数据集，shujian datasets show 编号 查看中文表头和别名。",
    "header_not_found": "如文件中的表头名称不同，请用 --map 表头=字段 指定对应关系（字段见 shujian datasets show 编号）。",
    "missing_columns": "如这些列在文件中用了别的表头，请用 --map 表头=字段 指定；文件中没有、整份文件取同一个值的（如一所幼儿园自己的名单没有单位名称），用 --set 字段=值 指定（字段见 shujian datasets show 编号）。",
    "bad_crs": "命令行用 --crs 指定文件的坐标系。",
    "crs_unknown": "命令行用 --crs 指定整份文件的坐标系，例如高德地图的坐标：--crs GCJ02。",
    "unknown_constant_column": "--set 字段=值 中的字段写中文表头或字段编号（见 shujian datasets show 编号）。",
    "empty_constant": "--set 字段=值 的值不能为空。",
    "constant_for_present_column": "去掉这一项 --set：文件中已有的列以文件为准。",
    "snapshot_lacks_column": "用 --set 字段=值 为整份文件指定缺少的列（字段见 shujian datasets show 编号），或改用含有这些列的完整文件。",
    "bad_constant": "改正 --set 字段=值 中的值（允许的取值见 shujian datasets show 编号）。",
    "unknown_mapping": "用 shujian datasets mappings list 查看已保存的表头对应关系。",
    "unknown_mapping_target": "--map 表头=字段 中的字段写中文表头或字段编号（见 shujian datasets show 编号）。",
    "bad_config": "改正配置文件中的这一处后重新运行；各项的写法见 docs/settings.md。",
    "store_unreachable": "管理员检查数据库服务是否已启动、[store] url 中的主机、端口、数据库名和账号是否正确；写法见 docs/settings.md。",
    "bad_store_url": "[store] url 写 sqlite:///case_store.sqlite（工作区内的文件）或 postgresql+psycopg://用户@主机:端口/数据库；写法见 docs/settings.md。",
    "bad_override": "改正或删除 shujian.toml 中的这一项 [[overrides]]；参数的默认值和含义见 shujian models show 模型编号。",
    "xlsx_needs_file": "用 -o 文件名.xlsx 指定输出文件。",
    "stale_leads_unconfirmed": "用 shujian leads show 编号 查看线索经过；核实后仍要成案，在 shujian leads accept 命令后加 --confirm-stale。",
    "date_in_future": "用 --on YYYY-MM-DD 填写实际发生的日期（不写则为今天）。",
    "unit_required": "督办事项用 --unit 单位名称 写明责任单位。",
    "not_drawn": "用 shujian minors supervise sample --month 月份 --draw 抽取该月的暗访样本。",
    "date_before_previous": "用 shujian minors tiers 编号 查看该未成年人以前的分级干预记录。",
    "not_in_intervention": "用 shujian minors tiers 编号 查看该未成年人以前的分级干预记录。",
    "item_required": "用 --item 写理由所依据的项（如 28.2、38.4），可写多次；各等级的项见 docs/juvenile.md 分级干预。",
    "item_not_of_tier": "用 --item 只写该等级的项（上面列出了可选的项）；T3 和结束干预不写 --item。",
    "facts_missing": "用 shujian minors probation facts 编号 补充审查情况（--heard、--objection 等），shujian minors probation check 编号 查看逐项结果。",
    "must_prosecute": "用 shujian minors probation prosecute 编号 --reason … 作出起诉决定。",
    "no_opinion": "用 shujian minors probation opinion 编号 --performance … --victim … 出具考察意见书。",
    "unknown_measure": "考察措施写代号或全文：treatment、service、prohibitions、restitution、education、protection。",
    "unknown_ground": "--ground 写代号：new_crime、earlier_crime、public_order、supervision_rules。",
    "xlsx_too_large": "把文件拆成几份分批导入；确属正常的大文件，由管理员调高 shujian.toml 中 [import] 的上限（见 docs/settings.md）。",
    "field_too_long": "检查该行的引号是否配对；确有这样长的单元格，由管理员调高 shujian.toml 中的 [import] max_field_chars。",
    "bad_csv": "用 Excel 或 WPS 打开该文件，另存为 xlsx 后再导入。",

    "not_a_backup": "备份目录由 shujian backup 目录 生成，应含 manifest.json；请核对目录，或重新备份。",
    "backup_older": "shujian restore 备份目录 新目录 恢复到 SQLite，shujian -w 新目录 db upgrade 升级，再备份后用 --store-url 恢复到 PostgreSQL。",
    "bad_backup": "请换用另一份备份；每次备份都应做恢复演练（shujian restore 备份目录 新目录）。",
}  # fmt: skip


def hint(code: str) -> str | None:
    return HINTS.get(code)
