"""国家司法救助 (《人民检察院国家司法救助工作细则》): a declared case kind
(`cases/workflows/judicial_aid.yaml`) opened from an application, its grounds and the cap on the
amount (`rules`), the service that checks the amount and issues the numbered 决定书 (`service`),
the document (`decision`) and the figures per ground."""
