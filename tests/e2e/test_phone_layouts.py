"""Every page fits a phone: 320 x 640 and 390 x 844, touch, a phone's user agent.

Each page is opened by its URL path in one browser context per width, left to settle, saved
as a full-page screenshot (``test-artifacts/screenshots/phone-<width>-<page>.png``) and read
from its element boxes:

- no horizontal page scroll (the document and Streamlit's main block are no wider than the
  screen);
- no link, button, label, heading, caption or table header cut off (clipped by an ellipsis or
  a hidden overflow) or broken in the middle of a word;
- no two side-by-side blocks of the main column overlapping (leaf-level
  ``stElementContainer`` siblings), and no floating toolbar over another block;
- a table or formula wider than the screen sits in a box that scrolls sideways AND says so (a
  "scroll sideways" caption beside it);
- chart text at 10 px or more, and no chart toolbar over a chart's title.

The sidebar is tested too: after a page is chosen from it on a phone, it folds away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from e2e_helpers import save_screenshot, wait_for_app_idle
from playwright.sync_api import Browser, BrowserContext, Page, expect

#: Every page, by URL path (app.py's PAGES); the live video page is checked at 320 px with its
#: camera running, in tests/e2e/test_live_video_browser.py.
PAGES = {
    "Home": "",
    "Kernel bank": "kernel_bank",
    "Pixel inspector": "pixel_inspector",
    "Kernel lab": "kernel_lab",
    "Padding": "padding_modes",
    "Deep learning": "deep_learning",
    "Deconvolution": "deconvolution",
    "Template matching": "template_matching",
    "Challenges": "challenges",
    "Class poll": "class_poll",
}
PHONES = {320: {"width": 320, "height": 640}, 390: {"width": 390, "height": 844}}
#: A phone's own browser: Streamlit folds its sidebar after navigation only for a user agent
#: that names a mobile device (its frontend asks ua-parser for deviceType "mobile").
PHONE_USER_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
#: Small images: the layout is the same at every working resolution, the wait is not.
QUERY = "?image=camera&res=128"
#: How far two boxes may meet (rounding of fractional pixels) before they overlap.
SLACK_PX = 2

#: Everything wrong with the layout, read from element boxes (one string per problem).
LAYOUT_PROBLEMS_JS = r"""(slack) => {
  const problems = [];
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return ['no stMain'];
  const width = window.innerWidth;
  const describe = (el) => {
    const owner = el.closest('[data-testid]');
    const id = el.getAttribute('data-testid') ||
      `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]} in ` +
      `${owner ? owner.getAttribute('data-testid') : 'page'}`;
    const text = (el.innerText || el.getAttribute('aria-label') || '').trim()
      .replace(/\s+/g, ' ').slice(0, 60);
    return `${id} "${text}"`;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    // Inside a closed <details> a box has a size but is not drawn.
    if (!el.checkVisibility({contentVisibilityAuto: true})) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && style.opacity !== '0';
  };

  // 1. No horizontal page scroll.
  const doc = document.documentElement;
  if (doc.scrollWidth > width + 1)
    problems.push(`page scrolls sideways: ${doc.scrollWidth} > ${width}`);
  if (main.scrollWidth > main.clientWidth + 1)
    problems.push(`main column scrolls sideways: ${main.scrollWidth} > ${main.clientWidth}`);
  for (const el of main.querySelectorAll('[data-testid="stElementContainer"]')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > width + 1)
      problems.push(`past the right edge (${Math.round(r.right)} px): ${describe(el)}`);
  }

  // 2. Text cut off or broken mid-word.
  const TEXT = 'a, button, label, h1, h2, h3, h4, h5, h6, th, [role="tab"], ' +
               '[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"], ' +
               '[data-testid="stMarkdownContainer"] p, [data-testid="stExpander"] summary';
  const clips = (style) => ['hidden', 'clip'].includes(style.overflowX) ||
                           style.textOverflow === 'ellipsis';
  for (const el of main.querySelectorAll(TEXT)) {
    if (!visible(el) || !(el.innerText || '').trim()) continue;
    let node = el;
    for (let depth = 0; node && node !== main && depth < 4; depth += 1, node = node.parentElement) {
      const style = getComputedStyle(node);
      if (clips(style) && node.scrollWidth > node.clientWidth + 1) {
        problems.push(`text cut off: ${describe(el)}`);
        break;
      }
    }
    // Mid-word: one word of a text node spread over two lines.
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let broken = null;
    while (!broken && walker.nextNode()) {
      const text = walker.currentNode.textContent;
      const words = /[^\s\-\u2010\u2011\u2013\u2014/=+×·,;:()\[\]]+/g;
      let match;
      while (!broken && (match = words.exec(text)) && match[0].length > 1) {
        const range = document.createRange();
        range.setStart(walker.currentNode, match.index);
        range.setEnd(walker.currentNode, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                              .map(r => Math.round(r.top)));
        if (tops.size > 1) broken = match[0];
      }
    }
    if (broken) problems.push(`word "${broken}" broken across lines in ${describe(el)}`);
  }

  // 3. Overlapping blocks: leaf-level element containers side by side in one parent.
  const leaves = [...main.querySelectorAll('[data-testid="stElementContainer"]')]
    .filter(el => visible(el) && !el.querySelector('[data-testid="stElementContainer"]'));
  const boxes = leaves.map(el => [el, el.getBoundingClientRect()]);
  const where = (r) => `x=${Math.round(r.left)}-${Math.round(r.right)}, ` +
                        `y=${Math.round(r.top)}-${Math.round(r.bottom)}`;
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
                         Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (meet(ra, rb)) problems.push(`overlap: ${describe(a)} at ${where(ra)} and ` +
                                      `${describe(b)} at ${where(rb)}`);
    }
  }
  // Floating toolbars (tables, charts) over any other block.
  for (const bar of main.querySelectorAll('[data-testid="stElementToolbar"], .modebar-container')) {
    if (!visible(bar)) continue;
    const rb = bar.getBoundingClientRect();
    for (const [el, r] of boxes) {
      if (!el.contains(bar) && meet(r, rb))
        problems.push(`toolbar at ${where(rb)} over ${describe(el)} at ${where(r)}`);
    }
    const chart = bar.closest('.js-plotly-plot');
    for (const title of chart ? chart.querySelectorAll('.gtitle, .g-gtitle text') : []) {
      if (meet(title.getBoundingClientRect(), rb))
        problems.push(`chart toolbar over its title "${title.textContent}"`);
    }
  }

  // 4. Sideways scrolling boxes must say so.
  const hinted = (el) => {
    const container = el.closest('[data-testid="stElementContainer"]');
    const near = [container, container && container.previousElementSibling,
                  container && container.nextElementSibling];
    return near.some(n => n && /scroll[^.]{0,40}sideways/i.test(n.innerText || ''));
  };
  for (const el of main.querySelectorAll('*')) {
    if (el === main || !visible(el) || el.clientWidth < 40) continue;
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX)) continue;
    if (el.scrollWidth <= el.clientWidth + 2) continue;
    if (!hinted(el)) problems.push(`scrolls sideways without saying so: ${describe(el)}`);
  }

  // 5. Chart text readable.
  for (const text of main.querySelectorAll('.js-plotly-plot text')) {
    if (!visible(text) || !text.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(text).fontSize);
    if (size < 10) { problems.push(`chart text at ${size} px: "${text.textContent}"`); break; }
  }
  return [...new Set(problems)];
}"""


@pytest.fixture(scope="module")
def phones(browser: Browser) -> Iterator[dict[int, Page]]:
    """One touch context per phone width for the module, opened when first asked for."""
    contexts: dict[int, BrowserContext] = {}

    class Pages(dict):
        def __missing__(self, width: int) -> Page:
            context = browser.new_context(viewport=PHONES[width], has_touch=True,
                                          is_mobile=True, user_agent=PHONE_USER_AGENT)
            context.set_default_timeout(30_000)
            context.set_default_navigation_timeout(60_000)
            contexts[width] = context
            self[width] = context.new_page()
            return self[width]

    pages = Pages()
    try:
        yield pages
    finally:
        for context in contexts.values():
            context.close()


CASES = [pytest.param(width, title, id=f"{width}-{title.replace(' ', '_')}",
                      marks=[pytest.mark.e2e])
         for width in PHONES for title in PAGES]


@pytest.mark.parametrize(("width", "title"), CASES)
def test_page_fits_a_phone(phones: dict[int, Page], app_server: str, width: int,
                           title: str) -> None:
    """At phone width the page has no sideways scroll, no cut text, no overlapping blocks,
    scrolling boxes that say so and readable chart text; the screenshot is saved."""
    page = phones[width]
    page.goto(f"{app_server}/{PAGES[title]}{QUERY}")
    wait_for_app_idle(page, timeout_ms=90_000)
    save_screenshot(page, f"phone-{width}-{title}")
    problems = page.evaluate(LAYOUT_PROBLEMS_JS, SLACK_PX)
    assert not problems, "\n".join(problems)


@pytest.mark.e2e
def test_sidebar_folds_after_choosing_a_page_on_a_phone(phones: dict[int, Page],
                                                        app_server: str) -> None:
    """On a phone the sidebar starts folded, and folds again after a page is chosen in it, so
    the first tap on the new page lands on the page."""
    page = phones[390]
    page.goto(f"{app_server}/{QUERY}")
    wait_for_app_idle(page, timeout_ms=90_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    page.locator('[data-testid="stExpandSidebarButton"]').tap()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Padding").tap()
    expect(page).to_have_url(re.compile(r"/padding_modes"))
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    wait_for_app_idle(page, timeout_ms=90_000)
    heading = page.locator('[data-testid="stMain"] h1').first
    box = heading.bounding_box()
    assert box is not None and box["x"] >= 0
    assert page.evaluate("([x, y]) => !!document.elementFromPoint(x, y)"
                         ".closest('[data-testid=\"stMain\"]')",
                         [box["x"] + 5, box["y"] + box["height"] / 2])


@pytest.mark.e2e
def test_inspector_grids_are_whole_on_a_laptop(page: Page, app_server: str) -> None:
    """At 1440 x 900 a 7 x 7 kernel's region, weights and products are each shown whole: no
    grid squeezed into a third of the row and clipped (the weights lost 39 px before)."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_server}/pixel_inspector{QUERY}&kernel=small_blur&color=1")
    wait_for_app_idle(page, timeout_ms=90_000)
    expect(page.locator("table caption", has_text="2. Weights as applied").first).to_be_visible()
    clipped = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stMain"] .ck-wrap')].filter(e => e.checkVisibility())
        .map(e => [e.querySelector('caption')?.textContent, e.scrollWidth - e.clientWidth])""")
    assert len(clipped) >= 3, clipped
    assert all(extra <= 1 for _, extra in clipped), clipped


@pytest.mark.e2e
def test_bank_compares_one_picture_at_a_time_on_a_phone(phones: dict[int, Page],
                                                        app_server: str) -> None:
    """On a phone the bank starts on one picture per kernel; tapping 'difference' puts the
    marked differences in its place, its text alternative counting them, and the page still
    fits."""
    page = phones[390]
    page.goto(f"{app_server}/kernel_bank{QUERY}")
    wait_for_app_idle(page, timeout_ms=90_000)
    row = page.locator(".st-key-bank_show_sharpen")
    main_images = page.locator('[data-testid="stMain"] [data-testid="stImage"] img')
    # Six kernels, one picture each (the 'side by side' default would show three each).
    expect(main_images).to_have_count(6)
    row.get_by_role("radio", name="difference").tap()
    wait_for_app_idle(page, timeout_ms=90_000)
    difference = page.get_by_role("img", name=re.compile(r"sharpen kernel: [\d,]+ of 16,384 "
                                                         r"pixels differ"))
    expect(difference).to_be_visible()
    expect(main_images).to_have_count(6)
    save_screenshot(page, "phone-390-Kernel_bank-difference", full_page=False)
    assert page.evaluate(LAYOUT_PROBLEMS_JS, SLACK_PX) == []
