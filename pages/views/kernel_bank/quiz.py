"""The kernel bank's question: which picture is the sidebar kernel's output?

Asked on a copy of the image at the size the choices are shown (QUESTION_SIDE), the real
outputs of the confusions computed and cached by content (pages.ui.cache.kernel_question).
"""

from __future__ import annotations

import streamlit as st

from pages import ui
from pages.ui import cache
from pages.views import quiz

#: Longer side, in pixels, of the copy the question's pictures are computed on: two share a
#: row of at most 660 CSS px on a laptop, and four fit a 320 px phone as a 2 x 2 grid.
QUESTION_SIDE = 320
TOPIC = "bank"


def question(image: ui.WorkingImage, current: ui.Settings) -> set[str]:
    """Ask which picture is the sidebar kernel's output, when the visitor's switch says so;
    return the names of the kernels whose rows must keep their outputs hidden (that kernel's,
    until answered or skipped)."""
    kernel = current.kernel
    if not quiz.asking(TOPIC, "Ask me first: which picture is the output?"):
        return set()
    small = ui.smaller(image, QUESTION_SIDE)
    seed = quiz.question_seed()
    # The seed joins the URL now, so the link copied from this run poses this question.
    ui.write_url(current)
    settings = (current.border, current.flip, current.value, current.mapping,
                current.divisor, current.offset)
    asked = cache.kernel_question(small.content, kernel.weights, kernel.name, seed, *settings)
    urls = ([] if isinstance(asked, str) else
            [quiz.data_url(cache.picture(cache.Pixels.of(choice.picture), QUESTION_SIDE))
             for choice in asked.choices])
    revealed = quiz.ask(
        TOPIC, (small.key, ui.kernel_key(kernel.weights), *settings, seed), asked, urls,
        heading="Which picture is this kernel's output?",
        alt=f"a candidate output of the {kernel.name} kernel on {image.label}",
        hidden=f"the {kernel.name} row's output below (the sidebar's kernel)")
    return set() if revealed else {kernel.name}


def kept_back(name: str, hidden: set[str]) -> bool:
    """Whether the row of kernel `name` keeps its outputs back; if so, say why in its place."""
    if name not in hidden:
        return False
    st.info(f"The {name} row's outputs are hidden until you answer the question above (or "
            "choose **Just show me**).")
    return True
