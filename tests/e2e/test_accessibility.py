"""WCAG 2.1 AA on every page, judged by axe-core in Chromium at desktop and phone width.

Each page opens with its content showing (the inspector's breakdown, the lab's editor, the
deep-learning views, the deconvolution results, the template maps); axe-core from npm
(``node_modules/axe-core``, ``make node-packages``) runs in the page and in every frame with
the wcag2a, wcag2aa, wcag21a and wcag21aa rules. Any violation fails, apart from the rules
Streamlit's own markup breaks on exactly the selectors listed in ``STREAMLIT_EXCLUSIONS``
(each with its Streamlit issue; docs/accessibility.md has the table).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_helpers import REPO_ROOT, save_screenshot, wait_for_app_idle
from playwright.sync_api import Browser, Page

AXE_SOURCE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Every page, by URL path, as the sidebar names it.
PAGES = {
    "Home": "",
    "Kernel bank": "kernel_bank",
    "Pixel inspector": "pixel_inspector",
    "Kernel lab": "kernel_lab",
    "Padding": "padding_modes",
    "Deep learning": "deep_learning",
    "Deconvolution": "deconvolution",
    "Template matching": "template_matching",
}
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}

#: (axe rule, exact selector axe reports) -> the Streamlit issue whose markup causes it.
STREAMLIT_EXCLUSIONS: dict[tuple[str, str], str] = {}

# axe.run in the page; it reaches into frames itself once each frame has axe too.
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations'], iframes: true});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(t => [].concat(t).join(' >>> ')).join(' | '),
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ')}))}));
}"""


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One browser page for the module (a new visit per checked page)."""
    if not AXE_SOURCE.exists():
        pytest.fail(f"{AXE_SOURCE} is missing: run `make node-packages`", pytrace=False)
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(page: Page) -> list[tuple[str, str, str]]:
    """(rule, selector, summary) of every WCAG A/AA violation axe finds in `page` and its frames."""
    source = AXE_SOURCE.read_text(encoding="utf-8")
    for frame in page.frames:
        if not frame.is_detached():
            frame.add_script_tag(content=source)
    found = page.evaluate(RUN_AXE, WCAG_TAGS)
    return [(v["rule"], node["target"], f"{v['help']}: {node['summary']}")
            for v in found for node in v["nodes"]]


@pytest.mark.e2e
@pytest.mark.parametrize("title", list(PAGES))
def test_page_has_no_wcag_violations(page: Page, app_server: str, title: str) -> None:
    """axe-core finds no WCAG 2.1 A or AA violation, at desktop then at phone width, apart
    from Streamlit's own, listed ones."""
    # A small working image: the markup is the same at every resolution, the wait is not.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{app_server}/{PAGES[title]}?image=camera&res=256")
    left = []
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        wait_for_app_idle(page, timeout_ms=90_000)
        for rule, selector, summary in axe_violations(page):
            known = STREAMLIT_EXCLUSIONS.get((rule, selector))
            print(f"{title} @ {viewport}: {rule} {selector} "
                  f"{'(Streamlit #' + known + ')' if known else ''}: {summary}")
            if not known:
                left.append(f"{viewport}: {rule} {selector}: {summary}")
        if left:
            save_screenshot(page, f"axe-{title}-{viewport}", full_page=False)
    assert not left, "\n".join(left)
