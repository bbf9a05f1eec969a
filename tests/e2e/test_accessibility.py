"""WCAG 2.1 AA on every page, judged by axe-core in Chromium at desktop and phone width.

Each page opens with its content showing (the inspector's breakdown, the lab's editor, the
deep-learning views, the deconvolution results, the template maps); axe-core from npm
(``node_modules/axe-core``, ``make node-packages``) runs in the page and in every frame with
the wcag2a, wcag2aa, wcag21a and wcag21aa rules. Any violation fails, apart from the rules
Streamlit's own markup breaks on exactly the selectors listed in ``STREAMLIT_EXCLUSIONS``
(each with its Streamlit issue; docs/accessibility.md has the table).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest
from e2e_helpers import REPO_ROOT, save_screenshot, wait_for_app_idle
from playwright.sync_api import Browser, Page, expect
from scipy import ndimage
from skimage import data

import convkit

AXE_SOURCE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Every page, by URL path, as the sidebar names it; the live video page is checked at
#: desktop and phone width with its camera running, in tests/e2e/test_live_video_browser.py.
PAGES = {
    "Home": "",
    "Kernel bank": "kernel_bank",
    "Pixel inspector": "pixel_inspector",
    "Kernel lab": "kernel_lab",
    "Challenges": "challenges",
    "Padding": "padding_modes",
    "Deep learning": "deep_learning",
    "Deconvolution": "deconvolution",
    "Template matching": "template_matching",
    "Class poll": "class_poll",
}
#: Where the sidebar's name of a page is longer than the short one above.
NAV_TITLES = {"Deep learning": "Convolutions in deep learning"}
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
    # WCAG 2.4.2: each page says which page it is ("Pixel inspector · convkit").
    page_title = NAV_TITLES.get(title, title)
    expect(page).to_have_title(re.compile(rf"^{re.escape(page_title)} · convkit$"))
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


# ------------------------------------------------ Chromium's accessibility tree, and keys only

#: The deepest focused element, through the components' shadow roots: "TAG|name".
FOCUSED_JS = """() => {
  let element = document.activeElement;
  while (element && element.shadowRoot && element.shadowRoot.activeElement) {
    element = element.shadowRoot.activeElement;
  }
  if (!element) return '';
  const name = element.getAttribute('aria-label') || element.alt || element.textContent || '';
  return element.tagName + '|' + name.trim().slice(0, 120);
}"""


def accessibility_tree(page: Page) -> dict[str, dict]:
    """Chromium's full accessibility tree of `page` (CDP), nodes by id (ignored ones too: a
    table's rows hang under its ignored row group)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return {node["nodeId"]: node for node in nodes}


def _value(node: dict, field: str) -> str:
    return str(node.get(field, {}).get("value", ""))


def _descendant_roles(tree: dict[str, dict], node: dict) -> set[str]:
    roles, stack = set(), list(node.get("childIds", []))
    while stack:
        child = tree.get(stack.pop())
        if child is not None:
            if not child.get("ignored"):
                roles.add(_value(child, "role"))
            stack.extend(child.get("childIds", []))
    return roles


def tables_by_name(tree: dict[str, dict]) -> dict[str, set[str]]:
    """Every table's name (its caption) and the roles found inside it."""
    return {_value(node, "name"): _descendant_roles(tree, node) for node in tree.values()
            if _value(node, "role") == "table" and not node.get("ignored")}


def image_names(tree: dict[str, dict]) -> list[str]:
    return [_value(node, "name") for node in tree.values()
            if _value(node, "role") in ("image", "img") and not node.get("ignored")]


@pytest.mark.e2e
@pytest.mark.parametrize(("path", "kernels", "captions"), [
    ("pixel_inspector", ["sharpen"], ["1. Region under the kernel", "2. Weights as applied",
                                      "3. Products (region × weight)"]),
    ("kernel_bank", ["small_blur", "large_blur", "sharpen", "laplacian", "sobel_x", "sobel_y"],
     [f"Weights of {name}" for name in ("small_blur", "sharpen", "laplacian", "sobel_x",
                                        "sobel_y")]),
])
def test_the_accessibility_tree_names_pictures_and_grids(page: Page, app_server: str, path: str,
                                                         kernels: list[str],
                                                         captions: list[str]) -> None:
    """Every image in Chromium's tree has a name that names its kernel; the grids are tables
    named by their captions, with column and row headers."""
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{app_server}/{path}?image=camera&res=256&kernel=sharpen")
    wait_for_app_idle(page, timeout_ms=90_000)
    tree = accessibility_tree(page)
    names = image_names(tree)
    assert len(names) >= len(kernels), names
    for name in names:
        assert name.strip(), names
        assert any(kernel in name for kernel in kernels), name
    for kernel in kernels:
        assert any(kernel in name for name in names), (kernel, names)
    tables = tables_by_name(tree)
    for caption in captions:
        assert caption in tables, sorted(tables)
        assert {"columnheader", "rowheader", "cell"} <= tables[caption], (caption,
                                                                          tables[caption])


def tab_to(page: Page, tag: str, name: str, limit: int) -> int:
    """Press Tab until the focused element is a `tag` whose name holds `name`; the presses."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED_JS))
        if seen[-1].startswith(tag + "|") and name in seen[-1]:
            return presses
    pytest.fail(f"{tag} {name!r} not reached in {limit} Tab presses: {seen}", pytrace=False)


@pytest.mark.e2e
def test_keyboard_only_from_home_to_a_pixel_and_its_sum(page: Page, app_server: str) -> None:
    """Keys only: from Home, Tab to the inspector's link and open it, Tab to the magnified
    view, move the pixel right with an arrow key; the live region says the new pixel's sum
    and byte, which are scipy.ndimage.correlate's."""
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{app_server}/?image=camera&res=512&kernel=sharpen&x=100&y=200")
    wait_for_app_idle(page, timeout_ms=90_000)

    tab_to(page, "A", "Pixel inspector", 40)
    page.keyboard.press("Enter")
    page.wait_for_url("**/pixel_inspector**")
    wait_for_app_idle(page, timeout_ms=90_000)
    presses = tab_to(page, "CANVAS", "Magnified input pixels round pixel 100, 200", 60)
    print(f"Tab presses from the page's top to the magnified view: {presses}")
    live = page.locator(".ckv-live")
    page.keyboard.press("ArrowRight")
    wait_for_app_idle(page)
    expect(live).to_have_text(re.compile(r"^pixel 101, 200: sum "))
    found = re.fullmatch(r"pixel 101, 200: sum (\S+), output byte (\d+)", live.inner_text())
    assert found, live.inner_text()
    camera = data.camera().astype(np.float64)
    expected = ndimage.correlate(camera, convkit.BANK["sharpen"].weights, mode="nearest")
    assert float(found.group(1).replace("−", "-")) == expected[200, 101]
    assert int(found.group(2)) == int(np.clip(expected[200, 101], 0, 255))
    # The focus stayed on the magnified view: further arrows keep working without the mouse.
    assert page.evaluate(FOCUSED_JS).startswith("CANVAS|Magnified input pixels round pixel 101")


@pytest.mark.e2e
def test_keyboard_only_template_point_and_the_animation(page: Page, app_server: str) -> None:
    """Keys only: on the normalized map, three ArrowRight and Enter choose the point three
    pixels right of the patch, and its NCC is NumPy's; on the deep-learning page, Enter on
    Play starts the window and Enter again pauses it."""
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{app_server}/template_matching?image=coins&res=512")
    wait_for_app_idle(page, timeout_ms=90_000)
    x = int(page.locator(".st-key-match_x input").input_value())
    y = int(page.locator(".st-key-match_y input").input_value())
    width = int(page.locator(".st-key-match_w input").input_value())
    height = int(page.locator(".st-key-match_h input").input_value())
    tab_to(page, "IMG", "Normalized cross-correlation map", 80)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"At x={x + 3}, y={y} (blue)", exact=True)).to_be_visible()
    wait_for_app_idle(page)
    # The tabs are one Tab stop; the arrow keys go from one tab to the next.
    tab_to(page, "DIV", "Plain correlation", 80)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="Normalized cross-correlation", selected=True)) \
        .to_be_visible()
    line = page.get_by_text(re.compile(r"^NCC = ")).inner_text()
    shown = float(re.search(r"= \*?\*?(−?[0-9.]+)\*?\*?$", line.strip()).group(1)
                  .replace("−", "-"))
    coins = data.coins().astype(float)
    def cut(cx: int, cy: int) -> np.ndarray:
        return coins[cy - height // 2:cy + height // 2 + 1, cx - width // 2:cx + width // 2 + 1]
    region, patch = cut(x + 3, y), cut(x, y)
    r, t = region - region.mean(), patch - patch.mean()
    assert abs(shown - (r * t).sum() / np.sqrt((r**2).sum() * (t**2).sum())) < 1e-3

    page.goto(f"{app_server}/deep_learning")
    wait_for_app_idle(page, timeout_ms=90_000)
    tab_to(page, "BUTTON", "Play", 80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_role("slider", name="Window position (output cell, row by row)")) \
        .not_to_have_value("1")
    page.get_by_role("button", name="Pause").wait_for()
    if not page.evaluate(FOCUSED_JS).startswith("BUTTON|"):
        tab_to(page, "BUTTON", "Pause", 80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
