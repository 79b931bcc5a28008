"""分级干预 (intervention tiers): the 未成年人检察部's record of each minor's tier.

- `declarations.yaml` — the tiers (T1 不良行为, T2 严重不良行为, 触法, T3 犯罪, and 结束干预),
  the items of 预防未成年人犯罪法 arts. 28 and 38 that are their reasons, and the measures each
  allows with their articles (31, 41, 43–45), the dataset minor_conduct's values reused;
- `rules.py` — the declaration loaded and checked, and the pure rule of a change (table tests);
- `access.py` — who sees tiers (who sees the whole register) and who sets them (`juvenile_work`);
- `store.py` — `intervention_tiers`, append-only (migration 0016);
- `service.py` — setting a tier, the history, the file's entries, the statistics' facts.
"""
