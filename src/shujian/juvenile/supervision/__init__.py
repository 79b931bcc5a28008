"""督办: the 未成年人检察部's supervision of the helping units' work, on its four rules.

- `rules.py` — the rules as pure functions with table tests: the first working day a month's
  prompt is due, quarters, deadlines and overdue items, the monthly sample;
- `access.py` — who sees and who does 督办 (the 未成年人检察部; never a helping unit);
- `store.py` — the case store's tables: items and their append-only events, samples and their
  append-only results (migration 0013);
- `prompts.py` — 一月一提示: per helping unit, its minors whose visits were missing last month;
- `quarterly.py` — 一季一督导: a quarter's figures per town and per unit;
- `items.py` — 一案一督办: a warning taken up as an item with a deadline, followed up, closed;
- `spot_checks.py` — 一月一暗访: a month's reproducible random sample and what the checks found;
- `workbook.py` — the .xlsx files they write (ID numbers masked, written as text).

The visits' rule is the register's (`juvenile.service.Register.judged`), the same as the
model `juvenile.visit_missing`'s; nothing here counts visits another way.
"""
