"""The padding page's question: which corner is the output with the sidebar's border?

The choices are the same corner of the output with each border mode, where they differ
(convkit.lessons.border_question), magnified so the band the padding reaches is plain.
"""

from __future__ import annotations

import streamlit as st

import convkit
from pages import ui
from pages.ui import cache
from pages.views import quiz

#: The magnified crops are about this many screen pixels wide (two to a row).
SHOWN_SIDE = 320
TOPIC = "padding"


def question(image: ui.WorkingImage, current: ui.Settings) -> None:
    """Ask which crop is the output with the sidebar's border, when the visitor's switch says
    so; until the visitor answers or skips, the rest of the page (every mode's output,
    labelled) is not drawn."""
    kernel = current.kernel
    if not quiz.asking(TOPIC, "Ask me first: which picture is the output?"):
        return
    seed = quiz.question_seed()
    # The seed joins the URL now, so the link copied from this run poses this question.
    ui.write_url(current)
    settings = (current.border, current.flip, current.value, current.mapping,
                current.divisor, current.offset)
    asked = cache.border_question(image.content, kernel.weights, kernel.name, seed, *settings)
    urls = []
    if not isinstance(asked, str):
        for choice in asked.choices:
            big, _ = convkit.explain.magnify_to(choice.picture, SHOWN_SIDE)
            # At its own size: each crop pixel stays a sharp square of equal bytes.
            urls.append(quiz.data_url(cache.picture(cache.Pixels.of(big), big.shape[1],
                                                    "PNG")))
    revealed = quiz.ask(
        TOPIC, (image.key, ui.kernel_key(kernel.weights), *settings, seed), asked, urls,
        heading="Which picture is this border's output?",
        alt=f"a candidate corner of the {kernel.name} output, magnified",
        hidden="every mode's output, labelled, further down")
    if not revealed:
        st.stop()
