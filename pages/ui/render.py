"""Text and HTML for people: rounded numbers, sums written out, number grids. Pure functions.

No Streamlit here, so every string a page shows can be unit-tested (tests/unit/test_render.py).
One precision rule for every table and equation: ``number`` is ``convkit.format_number``
(significant digits, a Unicode minus, float noise shown as 0).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import convkit

#: Grids with more cells than this are drawn as colour only: their numbers would not fit.
GRID_MAX_NUMBERED_CELLS = 121
#: A grid this many columns wide may not fit a phone (320 px) and says that it scrolls:
#: numbered, or drawn as colour only (cells 0.6 rem wide).
WIDE_GRID_COLUMNS = 5
WIDE_COLOUR_GRID_COLUMNS = 25

GRID_CSS = """
<style>
.ck-grid {border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 0.8rem;}
.ck-grid td {border: 1px solid #bbb; padding: 2px 5px; text-align: right; min-width: 3.2em;}
.ck-grid.tiny td {padding: 0; min-width: 0.6rem; height: 0.6rem; border-color: #eee;}
.ck-grid.compact td {font-size: 0.62rem; padding: 1px 2px; min-width: 0;}
.ck-grid td.pad {background: repeating-linear-gradient(45deg, #eef, #eef 4px, #dde 4px, #dde 8px);
  color: #335; font-style: italic;}
.ck-grid td.centre {outline: 2px solid #e02828; outline-offset: -2px; font-weight: bold;}
.ck-grid small {display: block; font-size: 0.65rem; color: #445;}
.ck-grid caption {caption-side: top; text-align: left; font-weight: bold; font-family:
  var(--st-font, sans-serif); font-size: 0.9rem; padding-bottom: 3px;}
.ck-grid td.corner {border: none;}
.ck-grid th {font-weight: normal; font-size: 0.7rem; color: #333; padding: 1px 4px;}
.ck-grid th[scope="row"] {text-align: right;}
.ck-grid.tiny th {display: none;}
.ck-grid details {font-size: 0.8rem;}
.ck-numbers summary {cursor: pointer; font-size: 0.85rem; margin: 4px 0;}
.ck-sr {position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;}
.ck-wrap {overflow-x: auto; max-width: 100%;}
.ck-steps {border-collapse: collapse; font-size: 0.9rem;}
.ck-steps th, .ck-steps td {border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left;}
.ck-steps td.num {text-align: right; font-family: ui-monospace, monospace;}
</style>
"""
#: Diverging colours of the heat maps: negative weights blue, positive red, zero near white.
_NEGATIVE = np.array([33, 102, 172])
_ZERO_RGB = np.array([247, 247, 247])
_POSITIVE = np.array([178, 24, 43])


#: A number for people (the one rule of convkit.format_number), under the short name pages use.
number = convkit.format_number


def kernel_label(name: str, kernel) -> str:
    """How a kernel is named in every widget: its name and size, ``name (rows x cols)``.

    `kernel` is a convkit.Kernel, an array of weights, or their (rows, cols) shape. The text is
    what a widget sends back, so AppTest and the load tests pick options by it: build it here.

    >>> kernel_label("sharpen", (3, 3)), kernel_label("box", np.ones((1, 5)))
    ('sharpen (3x3)', 'box (1x5)')
    """
    rows, cols = getattr(kernel, "shape", kernel)
    return f"{name} ({rows}x{cols})"


def kernel_labels(kernels: dict) -> Callable[[str], str]:
    """A widget's `format_func` for a choice among `kernels` (name -> kernel): `kernel_label`.

    Made here, not as a lambda in a page: a widget keeps its format function, and a page's
    lambda keeps the page's whole namespace, working image included, alive with it (a
    decoded upload stayed in memory after its visitor had left).

    >>> kernel_labels({"sharpen": np.ones((3, 3))})("sharpen")
    'sharpen (3x3)'
    """
    return lambda name: kernel_label(name, kernels[name])


def border_label(border: str) -> str:
    """How a border mode is named in every widget: its name and drawing.

    >>> border_label("reflect_101")
    'reflect_101  cb|abc|ba'
    """
    return f"{border}  {convkit.BORDER_DRAWINGS[border]}"


def code_span(text: str, limit: int) -> str:
    """Untrusted text as a Markdown inline code span: no backticks or line breaks can end it.

    >>> code_span("a`b\\n\\nc", 20)
    "`a'b c`"
    """
    # A blank line would close the span and let the rest render as Markdown (links, images).
    flat = " ".join("".join(c if c.isprintable() else " " for c in text[:limit]).split())
    return "`" + (flat.replace("`", "'") or " ") + "`"


def format_total(total, digits: int = 6, *, scale=None) -> str:
    """A breakdown's sum: one number for gray, one per channel for colour.

    `scale` is what the sum was added up from (its products), so its rounding noise shows as 0.

    >>> format_total(3.0), format_total(np.array([1.0, -2.0, 0.5]))
    ('3', 'R 1, G −2, B 0.5')
    """
    if np.ndim(total) == 0:
        return number(total, digits, scale=scale)
    return ", ".join(f"{name} {number(v, digits, scale=scale)}"
                     for name, v in zip("RGBA", np.ravel(total), strict=False))


def _bracketed(text: str) -> str:
    """A shown number as a term of a sum: negative ones in brackets."""
    return f"({text})" if text.startswith("−") else text


def _products(weights: np.ndarray, roi: np.ndarray) -> np.ndarray:
    """The products a weighted sum adds up: the scale of its rounding noise."""
    return np.asarray(weights, dtype=np.float64) * np.asarray(roi, dtype=np.float64)


def _largest(values: np.ndarray) -> float:
    """The largest finite |value| of a grid: the scale its numbers are shown at."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else 0.0


def _sum_terms(weights: np.ndarray, roi: np.ndarray, max_terms: int) -> str:
    terms = [f"{_bracketed(number(w))}×{number(v)}"
             for w, v in zip(np.ravel(weights), np.ravel(roi), strict=True)]
    if len(terms) > max_terms:
        hidden = len(terms) - max_terms + 2
        terms = terms[: max_terms - 2] + [f"… {hidden} more terms …"] + terms[-2:]
    return " + ".join(terms)


def sum_equation(weights: np.ndarray, roi: np.ndarray, total: float, max_terms: int = 25) -> str:
    """The weighted sum written out, ``w×v + …  = **total**``, long ones shortened in the middle.

    >>> sum_equation(np.array([[1.0, -1.0]]), np.array([[5, 2]]), 3.0)
    '1×5 + (−1)×2 = **3**'
    """
    total = number(total, 6, scale=_products(weights, roi))
    return _sum_terms(weights, roi, max_terms) + f" = **{total}**"


def sum_equation_html(weights: np.ndarray, roi: np.ndarray, total: float,
                      max_terms: int = 25) -> str:
    """`sum_equation` as HTML, the total in bold.

    >>> sum_equation_html(np.array([[1.0, -1.0]]), np.array([[5, 2]]), 3.0)
    '1×5 + (−1)×2 = <b>3</b>'
    """
    from html import escape

    total = number(total, 6, scale=_products(weights, roi))
    return escape(_sum_terms(weights, roi, max_terms)) + f" = <b>{total}</b>"


def relative_luminance(rgb) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour given as three bytes.

    >>> relative_luminance((255, 255, 255)), relative_luminance((0, 0, 0))
    (1.0, 0.0)
    """
    channels = np.asarray(rgb, dtype=np.float64) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(np.dot([0.2126, 0.7152, 0.0722], linear))


def readable_text_colour(background) -> str:
    """Black or white, whichever contrasts more with `background` (three bytes).

    One of the two always reaches at least 4.58:1 (WCAG's contrast, (L1 + 0.05) / (L2 + 0.05)),
    whatever the background: the two contrasts multiply to 21.

    >>> readable_text_colour((178, 24, 43)), readable_text_colour((247, 247, 247))
    ('#fff', '#000')
    """
    luminance = relative_luminance(background)
    return "#000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#fff"


def heat_colour(value: float, limit: float) -> tuple[int, int, int]:
    """The diverging heat-map colour of `value` on a scale of ±`limit` (bytes).

    >>> heat_colour(0.0, 1.0), heat_colour(2.0, 2.0), heat_colour(-5.0, 2.0)
    ((247, 247, 247), (178, 24, 43), (33, 102, 172))
    """
    share = 0.0 if limit == 0 else max(-1.0, min(1.0, value / limit))
    end = _POSITIVE if share > 0 else _NEGATIVE
    rgb = np.rint(_ZERO_RGB + (end - _ZERO_RGB) * abs(share)).astype(int)
    return int(rgb[0]), int(rgb[1]), int(rgb[2])


def _cell_colours(values: np.ndarray, limit: float) -> list[str]:
    """The style of each cell of a diverging heat map, in row order: `heat_colour` behind,
    `readable_text_colour` in front, computed for the whole grid at once (the template-matching
    page draws four grids of 961 cells a run)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values.ravel() / limit if limit else np.zeros(values.size)
    # As min(1, max(-1, ratio)) a cell at a time did: NaN counts as 1.
    share = np.where(ratio < 1.0, ratio, 1.0)
    share = np.where(share > -1.0, share, -1.0)
    ends = np.where((share > 0)[:, None], _POSITIVE, _NEGATIVE)
    rgb = np.rint(_ZERO_RGB + (ends - _ZERO_RGB) * np.abs(share)[:, None]).astype(int)
    channels = rgb / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    black = (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05)
    return [f"background:rgb({r},{g},{b});color:{'#000' if k else '#fff'}"
            for (r, g, b), k in zip(rgb.tolist(), black.tolist(), strict=True)]


def _offset_header(axis: str, offset: int, scope: str) -> str:
    """A header cell naming an offset from the centre cell: visibly "−1", read "x offset −1"."""
    shown = "0" if offset == 0 else f"{'+' if offset > 0 else '−'}{abs(offset)}"
    return f'<th scope="{scope}"><span class="ck-sr">{axis} offset </span>{shown}</th>'


def number_grid(values: np.ndarray, *, coloured: bool = False, shaded=None, notes=None,
                numbered: bool | None = None, digits: int = 4, css: bool = True,
                caption: str = "") -> str:
    """An HTML table of a 2-D array: the centre cell outlined, optionally a diverging heat map.

    `caption` names the grid (escaped); the column and row headers are the offsets from the
    centre cell, read "x offset −1", "y offset +1". `shaded` marks cells (a bool array, e.g.
    padding) with a hatch; `notes` (an array of strings, or None) adds a small line under a
    cell's number; `numbered` None writes the numbers when there are at most
    GRID_MAX_NUMBERED_CELLS; a grid drawn as colour only is followed by its numbers in a
    table that opens on demand (never only in tooltips). Numbers on a heat map are black or
    white, whichever contrasts more with their cell. `css` False leaves out the style block
    (for a page that already has it). Only numbers we computed go in.
    """
    from html import escape

    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    if numbered is None:
        numbered = values.size <= GRID_MAX_NUMBERED_CELLS
    limit = float(np.abs(values).max()) if coloured and values.size else 0.0
    size = _largest(values)
    # Written once for the grid, not a cell at a time: the template-matching page draws four
    # grids of 961 cells a run, and cell by cell that held the interpreter lock 20 ms each.
    shown = (convkit.core.format_numbers(values, digits, scale=size) if numbered
             else [""] * values.size)
    hover = convkit.core.format_numbers(values, 6, scale=size)
    styles = _cell_colours(values, limit) if coloured else None
    header = ('<tr><td class="corner"></td>' + "".join(_offset_header("x", c - cols // 2, "col")
                                       for c in range(cols)) + "</tr>")
    lines = [header]
    for r in range(rows):
        cells = [_offset_header("y", r - rows // 2, "row")]
        for c in range(cols):
            index = r * cols + c
            classes = ["pad"] if shaded is not None and shaded[r, c] else []
            if r == rows // 2 and c == cols // 2:
                classes.append("centre")
            style = f' style="{styles[index]}"' if coloured else ""
            note = f"<small>{notes[r][c]}</small>" if notes is not None and notes[r][c] else ""
            title = f' title="x offset {c - cols // 2}, y offset {r - rows // 2}: {hover[index]}"'
            cells.append(f'<td class="{" ".join(classes)}"{style}{title}>{shown[index]}{note}'
                         "</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    density = " compact" if numbered and cols > 5 else "" if numbered else " tiny"
    named = f"<caption>{escape(caption)}</caption>" if caption else ""
    # A grid of colour only is hidden from screen readers: its numbers follow, on demand.
    hidden = "" if numbered else ' aria-hidden="true"'
    table = (f'<div class="ck-wrap"><table class="ck-grid{density}"{hidden}>{named}'
             + "".join(lines) + "</table></div>"
             + (scroll_hint(cols, "grid")
                if cols >= (WIDE_GRID_COLUMNS if numbered else WIDE_COLOUR_GRID_COLUMNS) else ""))
    if not numbered:
        # Colour alone says nothing to a screen reader or in print: the numbers on demand.
        table += (f'<details class="ck-numbers"><summary>The {rows} x {cols} numbers'
                  f"{' of ' + escape(caption) if caption else ''}</summary>"
                  + number_grid(values, shaded=shaded, numbered=True, digits=digits, css=False,
                                caption=caption) + "</details>")
    return (GRID_CSS if css else "") + table


def text_table(frame, caption: str, *, corner: str = "") -> str:
    """A table of text (a pandas DataFrame: its index the row headers) in a box that scrolls
    sideways and takes focus, so that a keyboard can scroll it (WCAG 2.1.1); escaped.

    >>> import pandas as pd
    >>> html = text_table(pd.DataFrame({"b": ["<x>"]}, index=["a"]), "T", corner="k")
    >>> '<th scope="col">b</th>' in html, '<th scope="row">a</th><td>&lt;x&gt;</td>' in html
    (True, True)
    """
    from html import escape

    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    body = "".join(f'<tr><th scope="row">{escape(str(index))}</th>'
                   + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for index, row in zip(frame.index, frame.itertuples(index=False), strict=True))
    return (TEXT_TABLE_CSS + f'<div class="ck-text-wrap" tabindex="0" role="region" '
            f'aria-label="{escape(caption)}"><table class="ck-text"><caption>{escape(caption)}'
            f'</caption><tr><th scope="col">{escape(corner)}</th>{head}</tr>{body}</table></div>'
            + scroll_hint(len(frame.columns) + 1))


def scroll_hint(columns: int, what: str = "table") -> str:
    """A line under a wide table or grid, shown on a phone only, saying that it scrolls
    sideways (a phone draws no scrollbar until it is touched).

    >>> "Scroll the grid sideways to see all 7 columns" in scroll_hint(7, "grid")
    True
    """
    from html import escape

    return (SCROLL_HINT_CSS + f'<p class="ck-scroll-hint">Scroll the {escape(what)} sideways '
            f"to see all {columns} columns.</p>")


#: Phones only: from 640 px a page has columns, and the tables fit.
SCROLL_HINT_CSS = """<style>
.ck-scroll-hint {display: none; margin: 2px 0 0; font-size: 0.875rem; color: #424242;}
@media (max-width: 640px) {.ck-scroll-hint {display: block;}}
</style>"""


TEXT_TABLE_CSS = """<style>
.ck-text-wrap {overflow-x: auto; max-width: 100%;}
.ck-text-wrap:focus-visible {outline: 2px solid #b3261e; outline-offset: 2px;}
.ck-text {border-collapse: collapse; font-size: 0.9rem;}
.ck-text caption {caption-side: top; text-align: left; font-weight: bold; padding-bottom: 4px;}
.ck-text th, .ck-text td {border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left;
  white-space: nowrap;}
.ck-text th[scope="row"] {font-weight: bold;}
</style>"""


def steps_table(rows: list[tuple[str, str, str]]) -> str:
    """An HTML table of (step, computation, value) rows, values right-aligned.

    Used instead of st.table, which goes through pandas and Arrow for three short columns.
    """
    from html import escape

    body = "".join(f"<tr><td>{escape(step)}</td><td>{escape(formula)}</td>"
                   f'<td class="num">{escape(value)}</td></tr>' for step, formula, value in rows)
    return ('<table class="ck-steps"><tr><th scope="col">step</th><th scope="col">computation'
            '</th><th scope="col">value</th></tr>'
            + body + "</table>")


def breakdown_html(grids: list[tuple[str, str]], steps: list[tuple[str, str, str]],
                   note: str = "", *, equation: str = "", byte: int | None = None) -> str:
    """One HTML block for a pixel's breakdown: titled grids side by side, the sum, the steps
    from the sum to the byte, the byte, and a note.

    `grids` holds grid HTML from number_grid(..., css=False, caption=title); `equation` is
    `sum_equation_html`'s. One block per channel instead of a dozen Streamlit elements keeps a
    pixel click to a few messages on the wire.

    >>> html = breakdown_html([], [("clip", "min(max(x, 0), 255)", "3")], equation="1×3",
    ...                       byte=3)
    >>> "4. Sum of the products" in html, "Output byte: <b>3</b>" in html
    (True, True)
    """
    from html import escape

    # Each grid as wide as its numbers; one that does not fit beside the others goes to the
    # next line (a 7 x 7 grid squeezed into a third of the width was clipped, on a laptop too).
    columns = "".join(f'<div style="flex:0 1 auto;min-width:0;max-width:100%">{grid}</div>'
                      for grid in grids)
    parts = [GRID_CSS]
    if grids:
        parts.append(f'<div style="display:flex;gap:1.5rem;flex-wrap:wrap">{columns}</div>')
    if equation:
        parts.append("<p style='margin:0.6rem 0 0.2rem'><b>4. Sum of the products</b></p>"
                     f"<p style='margin:0 0 0.4rem;overflow-wrap:anywhere'>{equation}</p>")
    if steps:
        parts.append("<p style='margin:0.6rem 0 0.2rem'><b>5. From the sum to the output byte"
                     "</b></p>" + steps_table(steps))
    if byte is not None:
        parts.append(f"<p style='margin:0.5rem 0 0.2rem'>Output byte: <b>{int(byte)}</b></p>")
    if note:
        parts.append(f'<p style="color:#444;font-size:0.85rem;margin:0.4rem 0">{escape(note)}'
                     "</p>")
    return "".join(parts)


def how_computed(name: str, description) -> str:
    """Markdown: how cv2.filter2D computes kernel `name`, and which route convkit took and why.

    `description` is a convkit.core.RouteDescription (convkit.core.describe_route).
    """
    lines = [f"**{name}** (rank {description.rank}"
             f"{', separable' if description.rank == 1 else ''})"]
    for opencv in description.opencv:
        lines.append(f"- `{opencv.call}`: **{opencv.algorithm}**; {opencv.reason}.")
    steps = " → ".join(f"`{call}`" for call in description.calls)
    lines.append(f"- convkit's engine: route **{description.route}** ({steps}), because "
                 f"{description.reason}"
                 + ("; the image is converted to float32 first" if description.converted
                    else f"; OpenCV reads the {description.source_dtype} image as it is")
                 + ("; convkit pads the image itself first" if description.padded_first
                    else "") + ".")
    return "\n".join(lines)


def source_notes(breakdown) -> list[list[str]]:
    """Under each padded cell of a PixelBreakdown: where its value came from ("= v": constant)."""
    return [[("= v" if sy < 0 else f"from x={sx}, y={sy}") if outside else ""
             for (sy, sx), outside in zip(row, padded, strict=True)]
            for row, padded in zip(breakdown.source_yx, breakdown.padded, strict=True)]


def padding_notes(breakdown, description: str, limit: int = 12) -> str:
    """Markdown: which cells of a PixelBreakdown came from padding, and from where ("" if none).

    `description` says what the border mode does ("repeat the edge pixel" ...).
    """
    from html import escape

    count = int(breakdown.padded.sum())
    if not count:
        return ""
    lines = []
    for r, c in zip(*np.nonzero(breakdown.padded), strict=True):
        at_y, at_x = breakdown.image_yx[r, c]
        sy, sx = breakdown.source_yx[r, c]
        origin = (f"filled with the constant {number(breakdown.value, 6)}" if sy < 0
                  else f"copied from pixel x={sx}, y={sy}")
        lines.append(f"- the region's cell x={c}, y={r} lies outside the image, at x={at_x}, "
                     f"y={at_y}: {origin}")
    shown = lines[:limit] + ([f"- … and {len(lines) - limit} more"] if len(lines) > limit
                             else [])
    return (f"Near the border: {count} of the {breakdown.padded.size} cells come from "
            f"{escape(breakdown.border)} padding ({description}).\n\n" + "\n".join(shown))


def agreement_message(agreement, engine: str, size: str) -> tuple[bool, str]:
    """(identical, markdown) of a convkit.Agreement: how far `engine` is from cv2.filter2D."""
    if agreement.identical:
        return True, (f"**Identical**: {engine} and cv2.filter2D give the same byte at all "
                      f"{agreement.total_pixels:,} pixel values of the {size} image.")
    lines = [f"**{engine} vs cv2.filter2D** on the {size} image: max difference "
             f"**{agreement.max_abs_diff}** grey levels; **{agreement.percent_differ:.2f}%** of "
             f"the pixel values differ ({agreement.differing_pixels:,} of "
             f"{agreement.total_pixels:,}).", "", "Why, each differing value counted once:"]
    lines += [f"- **{_cause_heading(cause)}**: {cause.pixels:,} values" for cause in
              agreement.causes]
    if len(agreement.causes) > 1:
        lines += ["", " + ".join(f"{cause.pixels:,}" for cause in agreement.causes)
                  + f" = {agreement.differing_pixels:,} values."]
    if agreement.choices:
        lines += ["", "What differs from cv2.filter2D here:"]
        lines += [f"- **{name}**: {text}" for name, text in agreement.choices.items()]
    return False, "\n".join(lines)


def _cause_heading(cause) -> str:
    """'the mapping alone', 'both the mapping and the border', 'float rounding'."""
    if not cause.factors:
        return "float rounding (sums within a hair of .5 round the other way)"
    named = [f"the {factor}" for factor in cause.factors]
    if len(named) == 1:
        return f"because of {named[0]} alone"
    joined = (" and ".join(named) if len(named) == 2
              else f"{', '.join(named[:-1])} and {named[-1]}")
    return (f"because of {'both' if len(named) == 2 else 'all of'} {joined} (each alone "
            "changes these values, or only together)")


def loop_estimate(shape: tuple[int, ...], kernels: int, later: int, seconds_per_window: float,
                  windows_per_run: int, border: str, flip: bool) -> str:
    """What a click on "Run the tutorial's loop" will do, and how long it should take."""
    height, width = shape[:2]
    channels = shape[2] if len(shape) == 3 else 1
    windows = height * width * channels * kernels
    text = (f"The loop will visit {width} x {height} = {width * height:,} pixels"
            f"{f' x {channels} channels' if channels > 1 else ''} for {kernels} kernel(s): "
            f"{windows:,} windows, about {number(windows * seconds_per_window, 2)} s (border "
            f"{border}, flip {'on' if flip else 'off'}).")
    if later:
        text += (f" The other {later} run with the next click: one click runs at most "
                 f"{windows_per_run:,} windows, so that the server's loop, shared by every "
                 "visitor, is never held long.")
    return text


def kernel_summary(kernel, facts) -> str:
    """One line on a kernel: its description, size, weight range and what its sum means."""
    low, high = float(kernel.weights.min()), float(kernel.weights.max())
    weights = (f"all weights {number(low, 3)}" if low == high
               else f"weights {number(low, 3)} to {number(high, 3)}")
    return (f"{kernel.description}. {kernel.shape[0]}x{kernel.shape[1]}, {weights}; "
            f"{facts.sum_meaning}.")


# ------------------------------------------------ a layer's grids (the deep-learning page)

#: Style of ``marked_grid``. No centre outline (``number_grid`` has one): a layer's input or
#: output has no centre that means anything; cells are marked by what they are instead. Never
#: by colour alone: the current cell has a solid outline, the picked one a dashed outline, a
#: fed cell the weight it meets written in it; every text colour is 4.5:1 on its cell.
MARKED_GRID_CSS = """<style>
.dl-grid {border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 0.78rem;}
.dl-grid td {border: 1px solid #c8c8c8; padding: 2px 4px; text-align: right; min-width: 2.6em;
  height: 1.6em;}
.dl-grid td.pad {background: #e9ecef; color: #495057; font-style: italic;}
.dl-grid td.tap {background: #ffc078; font-weight: bold;}
.dl-grid td.pad.tap {background: repeating-linear-gradient(45deg, #ffc078, #ffc078 4px,
  #ffe8cc 4px, #ffe8cc 8px); color: #7a4a00;}
.dl-grid td.now {outline: 3px solid #e8590c; outline-offset: -3px; font-weight: bold;}
.dl-grid td.fed {background: #d0ebff;}
.dl-grid td.pick {outline: 3px dashed #1c7ed6; outline-offset: -3px; font-weight: bold;}
.dl-grid td.empty {background: #fafafa; color: #595959;}
.dl-grid small {display: block; font-size: 0.62rem; color: #1864ab;}
.dl-grid caption {caption-side: top; text-align: left; font-size: 0.8rem; color: #444;
  padding-bottom: 2px; font-family: sans-serif;}
.dl-wrap {overflow-x: auto; max-width: 100%;}
</style>"""
#: The marks MARKED_GRID_CSS draws: padding, the window's taps, the current output cell, the
#: outputs an input feeds, the picked input cell.
MARKS = ("pad", "tap", "now", "fed", "pick")


def _mark_mask(mark, shape: tuple[int, int], name: str) -> np.ndarray:
    if isinstance(mark, tuple):
        row, col = mark
        if not (0 <= row < shape[0] and 0 <= col < shape[1]):
            raise ValueError(f"marks[{name!r}] must be a cell of the {shape[0]} x {shape[1]} "
                             f"grid; got {mark!r}")
        mask = np.zeros(shape, dtype=bool)
        mask[row, col] = True
        return mask
    mask = np.asarray(mark, dtype=bool)
    if mask.shape != shape:
        raise ValueError(f"marks[{name!r}] must be a mask of shape {shape} or one (row, col); "
                         f"got shape {mask.shape}")
    return mask


def marked_grid(values, title: str, marks: dict | None = None, notes=None, first_row: int = 0,
                first_col: int = 0, digits: int = 4) -> str:
    """An HTML grid of numbers under a caption, its cells marked by class (MARKED_GRID_CSS).

    Parameters
    ----------
    values : (H, W) numbers; NaN is a cell not computed yet, drawn "·" (class "empty").
    title : the caption (escaped).
    marks : {class: mask}, class one of MARKS, mask a bool (H, W) array or one (row, col).
    notes : (H, W) strings (or None) written small under the numbers (escaped); "" for none.
    first_row, first_col : the index of the top-left cell in the tooltips ("row r, column c"),
        negative for a padded input whose padding comes first.
    digits : significant digits (``number``).

    Returns
    -------
    str, one ``<table class="dl-grid">`` in a scrolling div, without the style block
    (``marked_grids`` adds it).

    Example
    -------
    >>> table = marked_grid(np.array([[1.5, np.nan]]), "out", {"now": (0, 0)})
    >>> table.count('<td class="now"'), table.count('<td class="empty"'), ">1.5<" in table
    (1, 1, True)
    """
    from html import escape

    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D grid; got shape {values.shape}")
    unknown = sorted(set(marks or {}) - set(MARKS))
    if unknown:
        raise ValueError(f"marks must be among {MARKS}; got {unknown}")
    masks = {name: _mark_mask(mark, values.shape, name) for name, mark in (marks or {}).items()}
    size = _largest(values)
    rows = []
    for r in range(values.shape[0]):
        tds = []
        for c in range(values.shape[1]):
            classes = [name for name, mask in masks.items() if mask[r, c]]
            value = values[r, c]
            if np.isnan(value):
                classes.append("empty")
            text = "·" if np.isnan(value) else number(value, digits, scale=size)
            note = notes[r][c] if notes is not None else ""
            small = f"<small>{escape(note)}</small>" if note else ""
            where = f"x={c + first_col}, y={r + first_row}"
            tds.append(f'<td class="{" ".join(classes)}" title="{where}">{text}{small}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<div class="dl-wrap"><table class="dl-grid"><caption>{escape(title)}</caption>'
            + "".join(rows) + "</table></div>"
            + (scroll_hint(values.shape[1], "grid") if values.shape[1] >= WIDE_GRID_COLUMNS
               else ""))


def marked_grids(*grids: str) -> str:
    """marked_grid tables side by side (wrapping on a narrow screen), with their style block."""
    return (MARKED_GRID_CSS + '<div style="display:flex;gap:18px;flex-wrap:wrap;'
            'align-items:flex-start">' + "".join(grids) + "</div>")


def reach_notes(reach) -> np.ndarray:
    """Under each output an input cell feeds, the weights it meets there and their sum.

    `reach` is a convkit.lessons.Reach; the result is an array of strings of its outputs' shape
    ("" where the cell is not read), e.g. ``"w(x=2,y=0) + w(x=2,y=2) = 3"`` when a padded copy
    meets a second tap.
    """
    notes = np.full(reach.weight.shape, "", dtype=object)
    for (a, b), met in reach.taps.items():
        named = " + ".join(f"w(x={j},y={i})" for i, j in met)
        notes[a, b] = f"{named} = {number(reach.weight[a, b])}"
    return notes


def signed_sum(values, digits: int = 4) -> str:
    """Numbers written as a sum, negative ones in brackets.

    >>> signed_sum([1.5, -2.0, 0.25])
    '1.5 + (−2) + 0.25'
    """
    return " + ".join(_bracketed(number(v, digits)) for v in np.ravel(values))


def output_size_latex(geometry) -> str:
    """The output-size formula for a layer's rows, with its numbers put in on a second line
    (LaTeX; two lines fit a phone's width, so the formula never needs scrolling).

    `geometry` is a convkit.lessons.LayerGeometry; an empty output ends in "no output".
    """
    height, kh = geometry.input_shape[0], geometry.kernel_shape[0]
    out_h = geometry.output_shape[0]
    return (r"\begin{aligned}\text{out} &= \left\lfloor \frac{n + p_\text{before} + "
            r"p_\text{after} - d\,(k-1) - 1}{s}\right\rfloor + 1 \\ &= \left\lfloor \frac{"
            f"{height} + {geometry.pad_top} + {geometry.pad_bottom} - {geometry.dilation}"
            r"\cdot" f"{kh - 1} - 1}}{{{geometry.stride}}}" r"\right\rfloor + 1 "
            + (f"= {out_h}" if out_h else r"\le 0 \;\Rightarrow\; \text{no output}")
            + r"\end{aligned}")
