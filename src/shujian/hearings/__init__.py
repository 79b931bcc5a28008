"""公开听证 (《人民检察院审查案件听证工作规定》, 2020): hearings attached to a case of any kind —
the 听证员 and their eligibility (`rules`), notice, the record, each 听证员's opinion, the decision,
and the count per department and case kind (`service`). Tables: `store` (migration 0022)."""
