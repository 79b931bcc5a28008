"""督促监护令, 训诫 and 家庭教育指导: the procuratorate's own records of its work with guardians.

- `rules.py` — pure rules: the follow-up schedule (months after issue, off rest days, 暂定),
  on-time / late / overdue visits, outcomes and what 未改善 leads to, the grounds of a 训诫;
- `access.py` — who sees them (those who see the whole register) and who records and issues them
  (`juvenile_work`; `issue_document` for the order);
- `store.py` — the case store's tables (migration 0015), the histories append-only;
- `orders.py` — issuing the 督促监护令 (draft → reserve the 文号 → render), re-printing it, its
  follow-up visits and the overdue list;
- `records.py` — 训诫 and 家庭教育指导 sessions, the minor's file entries (`own_records`) and
  the facts the statistics count.

The document itself is `cases/documents/guardianship_order.py` (kind `guardianship_order`).
"""
