"""首页 in the browser: ECharts draws the funnel, the models and the trend from the figures the
page carries (static/charts.js; no inline script), and breaks none of the CSP."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.browsing import Visit

pytestmark = pytest.mark.xdist_group("browser")


def test_the_dashboard_charts_are_drawn(visit: Visit, tmp_path: Path) -> None:
    visit.sign_in("张检察官")
    page = visit.page
    for chart in ("#chart-funnel", "#chart-models", "#chart-months"):
        page.wait_for_selector(f"{chart}[data-drawn=yes] canvas")  # type: ignore[attr-defined]
        size = page.eval_on_selector(  # type: ignore[attr-defined]
            f"{chart} canvas", "c => [c.width, c.height]"
        )
        assert size[0] > 100 and size[1] > 100, chart
    assert not [m for m in visit.console if "Content Security Policy" in m]
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)  # type: ignore[attr-defined]
