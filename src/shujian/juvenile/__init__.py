"""The juvenile register (护苗 名册): who is on it, who helps them, who is due a visit.

- `register.py` — the rules, pure functions with table tests: active on a date, under 18 by the
  周岁 rule, an assignment covering a date, the months a visit is due and the targets missing;
- `access.py` — who sees which minors: the 未成年人检察部 and 院领导 all of them, a helping unit's
  account (`helper`) those assigned to its unit today;
- `service.py` — the register read from the warehouse (DuckDB over the Parquet files, filters
  pushed down): counts, the paged list, one minor's file (一人一档), due and late lists; every
  view audited, ID numbers masked;
- `visits.py` — a visit recorded in the platform, imported into `minor_visits` as a batch of its
  own through the importer (so that the next model run reads it).
"""
