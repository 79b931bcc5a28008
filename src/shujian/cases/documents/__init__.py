"""The 检察建议书 as a document: a pure renderer from a content object to .docx, and previews.

`recommendation` lays the seven elements of 《人民检察院检察建议工作规定》 art. 16 out in the
GB/T 9704-2012 layout (`layout`), with the wording of the category's template (`wording`,
`templates/*.yaml`); `preview` converts the .docx to PDF and PNG pages. Nothing here reads the
case store: the case service gathers the content and calls `render_recommendation`.
"""

from shujian.cases.documents.recommendation import (
    EvidenceTable,
    RecommendationContent,
    render_recommendation,
    template_ids,
)

__all__ = ["EvidenceTable", "RecommendationContent", "render_recommendation", "template_ids"]
