"""The few style rules that make Streamlit's own widgets fit a phone (320-390 px wide).

They name Streamlit 1.67's ``data-testid`` markup, so they live here, in one place;
tests/e2e/test_phone_layouts.py reads every page at 320 and 390 px and fails if a rule stops
matching (a cut label, a box scrolling sideways). Everything convkit draws itself (grids,
tables) carries its own style beside its markup, in render.py.
"""

from __future__ import annotations

import streamlit as st

#: Below Streamlit's own "md" breakpoint a page is one column: a phone.
PHONE_CSS = """<style>
/* A metric's label on as many lines as it needs: Streamlit cuts it with an ellipsis. */
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] p {white-space: normal; overflow: visible; text-overflow: clip;}
/* A page link's label likewise ("Padding: the five border modes side by side"). */
[data-testid="stPageLink"] [data-testid="stMarkdownContainer"],
[data-testid="stPageLink"] p {white-space: normal; overflow: visible; text-overflow: clip;}
@media (max-width: 640px) {
  /* A multiselect's chosen options wrap onto more lines instead of scrolling out of sight. */
  [data-testid="stMultiSelect"] [data-testid="stMultiSelectTagsContainer"] {
    flex-wrap: wrap; overflow-x: visible; row-gap: 4px; padding-top: 4px; padding-bottom: 4px;}
  [data-testid="stMultiSelect"] div:has(> [data-testid="stMultiSelectTagsContainer"]) {
    height: auto; max-height: none;}
  /* A button's label on two lines rather than cut ("Open pixel x=19, y=39 in the Pixel..."). */
  [data-testid="stButton"] button [data-testid="stMarkdownContainer"],
  [data-testid="stButton"] button p {white-space: normal; overflow: visible; text-overflow: clip;}
  /* Tabs that do not fit wrap onto a second line: Streamlit scrolls them, with no sign. */
  [data-testid="stTabs"] [role="tablist"] {flex-wrap: wrap; overflow-x: visible;}
  /* A displayed formula a little smaller, so its worked numbers fit 320 px. */
  [data-testid="stMain"] .katex-display {font-size: 0.84em;}
}
</style>"""


def phone_layout() -> None:
    """Add the phone rules to the page (an invisible style element; once per run)."""
    st.html(PHONE_CSS)


def is_phone() -> bool:
    """Whether the visitor's browser says it runs on a phone ("Mobi" in its User-Agent, the
    test MDN recommends; Streamlit's own sidebar folds on the same kind of test). The server
    cannot see the screen's width: a page uses this only to choose a default that a visitor
    can change."""
    agent = st.context.headers.get("User-Agent", "") if st.context.headers else ""
    return "Mobi" in agent
