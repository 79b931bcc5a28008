"""Sealed juvenile criminal records (未成年人犯罪记录封存, docs/sealing.md).

- `rule.py` — which offence records are sealed and on which ground, and when a sealed record may
  be unsealed: pure functions with table tests;
- `store.py` — the case store's tables (migration 0018): sealed records, their append-only
  events, query requests and their answers;
- `records.py` — sealing on import (`offence_records`' `on_import`), the list, one record shown
  with a reason, unsealing;
- `visibility.py` — what rests on a sealed record (leads, cases, 检察建议书), decided when viewed;
- `requests.py` — query requests (查询申请), due in seven days, answered, overdue;
- `figures.py` — the statistics' readers (封存记录数, 查询申请按期答复数).
"""
