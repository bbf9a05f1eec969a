"""The pixel inspector's breakdown: the region, weights and products of one output pixel, the
sum, the mapping to a byte, and where the padding came from."""

from __future__ import annotations

import streamlit as st

import convkit
from pages import ui


def show_breakdown(breakdown: convkit.PixelBreakdown, raw: ui.cache.Pixels, output: ui.cache.Pixels,
              current: ui.Settings, stretch: tuple[float, float]) -> None:
    """The step-by-step computation of one output pixel, in a few elements per channel.

    `raw` and `output` are the whole response and its bytes; `stretch` the raw response's
    lowest and highest values (for the stretch mapping).
    """
    x, y = breakdown.x, breakdown.y
    kernel, (lowest, highest) = current.kernel, stretch
    what = "convolution (kernel rotated 180°)" if current.flip else "correlation"
    mapping = (f"divide mapping (÷ {ui.number(current.divisor)}, + {ui.number(current.offset)})"
               if current.mapping == "divide" else f"{current.mapping} mapping")
    st.header(f"Output pixel x={x}, y={y}", anchor=False)
    st.caption(f"{ui.kernel_label(kernel.name, kernel)}, {what}, "
               f"{current.border} border {convkit.BORDER_DRAWINGS[current.border]}, {mapping}")
    channels = ["R", "G", "B", "A"][: breakdown.roi.shape[2]] if breakdown.is_colour else [None]
    tabs = st.tabs([f"Channel {c}" for c in channels]) if breakdown.is_colour else [st.container()]
    notes = ui.render.source_notes(breakdown)
    shaded = breakdown.padded
    weights_grid = ui.number_grid(breakdown.weights, coloured=True, shaded=shaded,
                                  numbered=True, css=False, caption="2. Weights as applied"
                                  + (" (flipped)" if current.flip else ""))
    for index, (tab, channel) in enumerate(zip(tabs, channels, strict=True)):
        pick = (..., index) if channel else (...,)
        roi, products = breakdown.roi[pick], breakdown.products[pick]
        total = float(breakdown.total[index] if channel else breakdown.total)
        plane = raw.array[pick]
        fast = float(plane[y, x])
        steps = convkit.explain_mapping(total, current.mapping, lowest, highest,
                                        divisor=current.divisor, offset=current.offset)
        with tab:
            st.html(ui.render.breakdown_html(
                [ui.number_grid(roi, shaded=shaded, notes=notes, numbered=True, css=False,
                                caption="1. Region under the kernel"),
                 weights_grid,
                 ui.number_grid(products, coloured=True, shaded=shaded, numbered=True,
                                css=False, caption="3. Products (region × weight)")],
                [(s.label, s.formula, ui.number(s.value, 6)) for s in steps],
                note=f"OpenCV's fast engine gives {ui.number(fast, 6)} for this pixel "
                     f"(difference {ui.number(abs(fast - total), 2)}, float32 rounding).",
                equation=ui.render.sum_equation_html(breakdown.weights, roi, total),
                byte=int(output.array[y, x, *pick[1:]])))
    notes_text = ui.render.padding_notes(breakdown,
                                         convkit.BORDER_DESCRIPTIONS[current.border])
    if notes_text:
        st.warning(notes_text)
    else:
        st.info("The kernel lies wholly inside the image here: no padding was used.")
    # Written only when the visitor clicks: a pixel click does not build the file.
    st.download_button("Download the breakdown (CSV)",
                       data=lambda: convkit.explain.breakdown_csv(breakdown),
                       file_name=f"breakdown_{kernel.name}_x{x}_y{y}.csv", mime="text/csv",
                       key="inspector_csv")

