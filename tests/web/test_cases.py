"""案件 in a real browser: a prosecutor opens their case, sees only the steps the workflow
allows them, moves it to 调查核实, drafts and issues a 检察建议书 with the 文号 entered from the
统一业务应用系统 and downloads it; a malformed 文号 is refused in Chinese; an assistant has no
制发 and a forged POST is refused; another department's case is 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from web.browsing import Server, Visit
from web.browsing import wide_shot as shot
from web.cases_setup import Cases, make_cases

pytestmark = pytest.mark.xdist_group("browser")

NUMBER = "青检未建〔2026〕7号"
RECIPIENT = "青岚县文化旅游局"


@pytest.fixture(scope="module")
def cases(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Cases:
    return make_cases(server.workspace, tmp_path_factory.mktemp("agency-files"))


def text(visit: Visit, selector: str) -> str:
    return str(visit.page.inner_text(selector))  # type: ignore[attr-defined]


def buttons(visit: Visit) -> list[str]:
    """The labels of the steps offered on the case page."""
    page = visit.page
    return [
        str(s).strip()
        for s in page.locator("#actions summary, #actions a.button").all_inner_texts()  # type: ignore[attr-defined]
    ]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(p.text for p in doc.paragraphs)


def test_a_prosecutor_takes_a_case_to_an_issued_recommendation_and_downloads_it(
    visit: Visit, cases: Cases, tmp_path: Path
) -> None:
    page = visit.page
    visit.sign_in("张检察官")
    visit.go("/cases")
    assert f"案件 {cases.own}" in text(visit, "#cases")
    assert f"案件 {cases.elsewhere}" not in text(visit, "#cases")
    shot(visit, "web-cases-list", tmp_path)

    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"#cases a[href='/cases/{cases.own}']")  # type: ignore[attr-defined]
    assert text(visit, "#case-state") == "已立案"
    assert buttons(visit) == ["开始调查核实"]  # the one step of 立案; no 制发 yet

    page.click("summary[data-action=investigate]")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("form.step button[type=submit]")  # type: ignore[attr-defined]
    assert text(visit, "#case-state") == "调查核实"
    assert "开始调查核实" in text(visit, "#timeline")
    assert buttons(visit) == ["制发检察建议（检察建议书）"]

    page.fill("#rec-recipient", RECIPIENT)  # type: ignore[attr-defined]
    options = page.locator("#rec-category option").all_inner_texts()  # type: ignore[attr-defined]
    assert options == ["公益诉讼", "未检"]  # the kinds the case's model declares, no other
    page.select_option("#rec-category", label="未检")  # type: ignore[attr-defined]
    with page.expect_download() as drafted:  # type: ignore[attr-defined]
        page.click("#draft-button")  # type: ignore[attr-defined]
    draft = tmp_path / "draft.docx"
    drafted.value.save_as(draft)
    assert "文号待编" in docx_text(draft) and "本院认为" in docx_text(draft)
    assert text(visit, "#case-state") == "调查核实"  # a draft records nothing

    page.fill("#rec-number", "青检未建2026第七号")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#issue-button")  # type: ignore[attr-defined]
    refusal = text(visit, "#case-error")
    assert "不符合检察建议书文号的格式" in refusal and "统一业务应用系统" in refusal
    assert text(visit, "#case-state") == "调查核实"
    assert page.input_value("#rec-recipient") == RECIPIENT  # type: ignore[attr-defined]
    assert page.input_value("#rec-items") == ""  # type: ignore[attr-defined]
    shot(visit, "web-cases-issue", tmp_path, height=1180)

    page.fill("#rec-number", NUMBER)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#issue-button")  # type: ignore[attr-defined]
    assert text(visit, "#case-state") == "制发检察建议"
    assert NUMBER in text(visit, "#case-notice")
    assert NUMBER in text(visit, "#recommendations")
    assert "送达检察建议书" in buttons(visit)
    shot(visit, "web-cases-case", tmp_path)

    with page.expect_download() as issued:  # type: ignore[attr-defined]
        page.click("#recommendations a.download[download]")  # type: ignore[attr-defined]
    assert issued.value.suggested_filename == f"{NUMBER}.docx"
    out = tmp_path / "issued.docx"
    issued.value.save_as(out)
    assert out.read_bytes()[:2] == b"PK"
    body = docx_text(out)
    assert NUMBER in body and "本院认为" in body and RECIPIENT in body


def test_an_assistant_is_not_offered_the_issuing_and_a_forged_post_is_refused(
    visit: Visit, cases: Cases
) -> None:
    page = visit.page
    visit.sign_in("李助理")
    visit.go(f"/cases/{cases.assistants}")
    assert text(visit, "#case-state") == "调查核实"
    assert buttons(visit) == []
    assert page.locator("#recommend-form").count() == 0  # type: ignore[attr-defined]
    token = page.get_attribute('meta[name="csrf-token"]', "content")  # type: ignore[attr-defined]
    answer = page.request.post(  # type: ignore[attr-defined]
        f"{visit.url}/cases/{cases.assistants}/recommend",
        form={"csrf_token": token, "recipient": RECIPIENT, "number": "青检未建〔2026〕8号"},
    )
    assert answer.status == 403
    assert "检察官助理" in answer.text() and "制发" in answer.text()
    visit.go(f"/cases/{cases.assistants}")
    assert text(visit, "#case-state") == "调查核实"


def test_a_case_of_another_department_by_its_address_is_not_found(
    visit: Visit, cases: Cases
) -> None:
    visit.sign_in("张检察官")
    response = visit.go(f"/cases/{cases.elsewhere}")
    assert response.status == 404  # type: ignore[attr-defined]
    assert "找不到" in text(visit, "main")
    missing = visit.go("/cases/999999")
    assert missing.status == 404  # type: ignore[attr-defined]
