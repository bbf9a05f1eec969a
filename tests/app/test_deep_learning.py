"""AppTest tests of the deep-learning page: every control, every shown number against scipy."""

from __future__ import annotations

import base64
import html
import json
import math
import re
import threading

import numpy as np
import pytest
from apptest_helpers import APP, assert_healthy, open_expander, open_page
from scipy import signal
from streamlit.testing.v1 import AppTest
from thread_helpers import BOUND_S, join_all, start, wait_until

import convkit
from server.queues import QUEUES, WorkQueue
from tests.unit.references import BORDER_NAMES

GRID = np.random.default_rng(5).integers(-9, 10, (6, 7))
GRID_TEXT = "\n".join(" ".join(str(v) for v in row) for row in GRID)


@pytest.fixture
def dl(app: AppTest) -> AppTest:
    return open_page(app, "deep_learning")


def typed(at: AppTest, text: str = GRID_TEXT) -> AppTest:
    at.radio(key="dl_source").set_value("numbers I type").run()
    at.text_area(key="dl_grid").set_value(text).run()
    assert_healthy(at)
    return at


def slide(n: int, k: int, stride: int, dilation: int, mode: str) -> list[list[int]]:
    """Slide a dilated window over a padded axis by hand; return each output's taps."""
    span = dilation * (k - 1) + 1
    if mode == "valid":
        first, last_start = 0, n - span
    elif mode == "full":
        first, last_start = -(span - 1), n - 1
    else:  # same: TensorFlow pads so that ceil(n / stride) outputs fit, extra zero after
        wanted = math.ceil(n / stride)
        total = max((wanted - 1) * stride + span - n, 0)
        first, last_start = -(total // 2), (wanted - 1) * stride - total // 2
    windows, start = [], first
    while start <= last_start:
        windows.append([start + t * dilation for t in range(k)])
        start += stride
    return windows


def reference(image, weights, stride=1, dilation=1, mode="valid", border="constant"):
    """np.pad to the hand-slid windows, correlate2d on the dilated kernel, then subsample."""
    rows = slide(image.shape[0], weights.shape[0], stride, dilation, mode)
    cols = slide(image.shape[1], weights.shape[1], stride, dilation, mode)
    pads = [(-rows[0][0], max(rows[-1][-1] - image.shape[0] + 1, 0)),
            (-cols[0][0], max(cols[-1][-1] - image.shape[1] + 1, 0))]
    padded = np.pad(np.asarray(image, float), pads, mode=BORDER_NAMES[border].numpy)
    big = np.zeros(((weights.shape[0] - 1) * dilation + 1, (weights.shape[1] - 1) * dilation + 1))
    big[::dilation, ::dilation] = weights
    full = signal.correlate2d(padded, big, "valid")
    return full[::stride, ::stride][: len(rows), : len(cols)]


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def grids(at: AppTest) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every number grid on the page by caption: (values, cell classes, cell notes)."""
    found = {}
    for element in at.get("html"):
        body = element.proto.body
        for caption, table in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", body, re.S):
            values, classes, notes = [], [], []
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
                cells = re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', row, re.S)
                values.append([np.nan if text.startswith("·") else number(
                    re.sub(r"<small>.*?</small>", "", text)) for _, text in cells])
                classes.append([cls for cls, _ in cells])
                notes.append([html.unescape(m.group(1)) if (m := re.search(
                    r"<small>(.*?)</small>", text)) else "" for _, text in cells])
            found[html.unescape(caption)] = (np.array(values), np.array(classes),
                                             np.array(notes))
    return found


def grid(at: AppTest, caption_start: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    matches = [v for k, v in grids(at).items() if k.startswith(caption_start)]
    assert len(matches) == 1, list(grids(at))
    return matches[0]


def marked(classes: np.ndarray, name: str) -> np.ndarray:
    return np.vectorize(lambda c: name in c.split())(classes)


def metric(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert len(matches) == 1, [m.label for m in at.metric]
    return matches[0]


def text(at: AppTest, start: str) -> str:
    matches = [m.value for m in at.markdown if m.value.startswith(start)]
    assert matches, [m.value[:40] for m in at.markdown]
    return matches[0]


def formula_result(at: AppTest) -> int:
    """Check the formula with numbers: evaluate its fraction, compare with the result shown."""
    latex = at.latex[0].value.strip("$\n").removesuffix(r"\end{aligned}")
    top, bottom = re.findall(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", latex)[-1]
    top = top.replace("\\cdot", "*")
    assert re.fullmatch(r"[\d+*\- ]+", top), top
    value = eval(top) // int(bottom) + 1  # plain arithmetic on the numbers shown
    shown = int(latex.rsplit("=", 1)[1])
    assert max(value, 0) == shown, latex
    return shown


def sobel(at: AppTest) -> np.ndarray:
    at.selectbox(key="dl_kernel").set_value("sobel_x").run()
    return convkit.BANK["sobel_x"].weights


# ------------------------------------------------------------------------ defaults


def test_defaults(dl):
    assert dl.title[0].value == "Convolutions in deep learning"
    intro = dl.markdown[0].value
    assert "correlation" in intro and "not flipped" in intro
    assert "scipy.signal.correlate2d" in intro
    assert metric(dl, "Output size") == "4 x 4"  # a 6 x 6 crop, a 3 x 3 kernel, valid
    assert formula_result(dl) == 4
    assert not dl.error and not dl.warning
    assert text(dl, "**Step 1 of 16**")


def test_the_crop_is_the_working_images_busiest_spot(dl):
    """The numbers are the working image's gray levels where it says they come from."""
    caption = next(c.value for c in dl.caption if "varies most" in c.value)
    x, y = map(int, re.search(r"x = (\d+), y = (\d+)", caption).groups())
    image = convkit.fit_to_pixels(convkit.load_sample("camera"), 1024)  # the defaults
    shown = dl.dataframe[0].value.to_numpy()
    np.testing.assert_array_equal(shown, image[y : y + 6, x : x + 6])
    assert shown.std() > 20  # not a flat patch
    dl.slider(key="dl_side").set_value(4).run()
    assert dl.dataframe[0].value.shape == (4, 4)
    assert metric(dl, "Output size") == "2 x 2"


# ---------------------------------------------------------------- the sliding window


@pytest.mark.parametrize(("stride", "dilation", "mode", "border"), [
    (1, 1, "valid", "constant"), (2, 1, "same", "constant"), (1, 2, "full", "replicate"),
    (3, 2, "same", "reflect_101"), (2, 1, "full", "wrap"), (1, 1, "same", "reflect"),
])
def test_every_step_shows_the_reference_numbers(dl, stride, dilation, mode, border):
    """Output size, formula, and at every step the region, products, sum and output map."""
    weights = sobel(typed(dl))
    dl.slider(key="dl_stride").set_value(stride)
    dl.slider(key="dl_dilation").set_value(dilation)
    dl.radio(key="dl_output").set_value(mode)
    dl.selectbox(key="dl_border").set_value(border).run()
    assert_healthy(dl)
    expected = reference(GRID, weights, stride, dilation, mode, border)
    assert metric(dl, "Output size") == f"{expected.shape[0]} x {expected.shape[1]}"
    assert formula_result(dl) == expected.shape[0]
    rows_taps = slide(6, 3, stride, dilation, mode)
    cols_taps = slide(7, 3, stride, dilation, mode)
    span = dilation * 2 + 1
    if mode == "valid":
        pads = [(0, 0), (0, 0)]
    elif mode == "full":
        pads = [(span - 1, span - 1)] * 2
    else:  # TensorFlow's 'same': the total that gives ceil(n / s) outputs, the odd one after
        totals = [max((math.ceil(n / stride) - 1) * stride + span - n, 0) for n in (6, 7)]
        pads = [(t // 2, t - t // 2) for t in totals]
    assert metric(dl, "Padding top/bottom, left/right") == (
        f"{pads[0][0]}/{pads[0][1]}, {pads[1][0]}/{pads[1][1]}")
    for step in range(1, expected.size + 1):
        dl.slider(key="dl_step").set_value(step).run()
        r, c = divmod(step - 1, expected.shape[1])
        line = text(dl, f"**Step {step} of {expected.size}**")
        assert f"output x={c}, y={r}" in line
        assert f"input columns x = {', '.join(map(str, cols_taps[c]))} and" in line
        assert f"rows y = {', '.join(map(str, rows_taps[r]))} (" in line
        region, region_classes, _ = grid(dl, "Region under the window")
        inside = np.array([[0 <= i < 6 and 0 <= j < 7 for j in cols_taps[c]]
                           for i in rows_taps[r]])
        np.testing.assert_array_equal(marked(region_classes, "pad"), ~inside)
        if border == "constant":
            assert (region[~inside] == 0).all()
        products, _, _ = grid(dl, "= products")
        np.testing.assert_array_equal(products, region * weights)
        total = number(re.search(r"= \*\*(−?[\d.]+)\*\*", text(dl, "Sum of the products"))
                       .group(1))
        assert total == pytest.approx(expected[r, c])
        so_far, so_far_classes, _ = grid(dl, "Output map so far")
        order = np.arange(expected.size).reshape(expected.shape)
        np.testing.assert_allclose(so_far[order < step], expected[order < step], atol=1e-9)
        assert np.isnan(so_far[order >= step]).all()
        assert marked(so_far_classes, "now")[r, c] and marked(so_far_classes, "now").sum() == 1


def test_step_buttons_and_the_ends(dl):
    typed(dl)
    dl.slider(key="dl_stride").set_value(2).run()  # 3 x 4 outputs (valid: 2 x 3)
    steps = int(metric(dl, "Window positions"))
    assert steps == 6
    dl.button(key="dl_next").click().run()
    dl.button(key="dl_next").click().run()
    assert dl.slider(key="dl_step").value == 3
    dl.button(key="dl_prev").click().run()
    assert dl.slider(key="dl_step").value == 2
    dl.slider(key="dl_step").set_value(steps).run()
    dl.button(key="dl_next").click().run()  # the last cell: Next stays there
    assert dl.slider(key="dl_step").value == steps
    dl.slider(key="dl_step").set_value(1).run()
    dl.button(key="dl_prev").click().run()
    assert dl.slider(key="dl_step").value == 1
    assert_healthy(dl)


def test_play_advances_one_cell_per_run_and_stops_at_the_end(dl):
    """It starts paused (WCAG 2.2.2: nothing moves unasked); each run of the playing
    fragment moves the window on; Pause and the end stop it."""
    dl.run()  # a run the fragment's timer would make, if it had one
    assert dl.button(key="dl_play").label == "Play" and dl.slider(key="dl_step").value == 1
    dl.selectbox(key="dl_speed").set_value("fast (0.5 s)").run()
    dl.button(key="dl_play").click().run()
    assert dl.session_state["dl_playing"]
    assert dl.button(key="dl_play").label == "Pause"
    assert dl.slider(key="dl_step").value == 2
    first = text(dl, "Sum of the products")
    dl.run()  # what the fragment's timer does in the browser
    assert dl.slider(key="dl_step").value == 3
    assert text(dl, "Sum of the products") != first
    dl.button(key="dl_play").click().run()  # pause
    assert not dl.session_state["dl_playing"]
    dl.run()
    assert dl.slider(key="dl_step").value == 3
    dl.slider(key="dl_step").set_value(15).run()
    dl.button(key="dl_play").click().run()
    assert dl.slider(key="dl_step").value == 16
    dl.run()  # at the last cell: it stops itself
    assert not dl.session_state["dl_playing"]
    assert dl.slider(key="dl_step").value == 16
    dl.button(key="dl_play").click().run()  # play again starts over
    assert dl.slider(key="dl_step").value == 2
    dl.button(key="dl_next").click().run()  # a step button pauses
    assert not dl.session_state["dl_playing"]
    assert_healthy(dl)


def test_bad_grid_and_no_output(dl):
    typed(dl, "1 2\n3 x")
    assert "Cannot read the grid" in dl.error[0].value
    assert "the cell at x=1, y=1" in dl.error[0].value
    typed(dl, "1 2\n3 4")
    dl.slider(key="dl_dilation").set_value(3).run()
    assert "No output at all" in dl.warning[0].value
    assert metric(dl, "Output size") == "0 x 0"
    assert "no output" in dl.latex[0].value
    assert_healthy(dl)


# ------------------------------------------------------------- which outputs it feeds


@pytest.mark.parametrize(("mode", "border", "stride"), [
    ("valid", "constant", 1), ("same", "constant", 2), ("same", "replicate", 1),
    ("full", "wrap", 1),
])
def test_the_outputs_an_input_cell_feeds_are_its_gradient(dl, mode, border, stride):
    """Highlighted outputs and the weights noted there: d output / d input, by a unit poke."""
    weights = sobel(typed(dl))
    dl.radio(key="dl_output").set_value(mode)
    dl.slider(key="dl_stride").set_value(stride)
    dl.selectbox(key="dl_border").set_value(border).run()
    base = reference(GRID, weights, stride, 1, mode, border)
    for row, col in ((0, 0), (2, 3), (5, 6)):
        dl.number_input(key="dl_pick_row").set_value(row)
        dl.number_input(key="dl_pick_col").set_value(col).run()
        poked = GRID.astype(float)
        poked[row, col] += 1
        gradient = reference(poked, weights, stride, 1, mode, border) - base
        # Outputs whose windows read the cell (a zero weight there still reads it).
        reads = np.zeros(base.shape, dtype=bool)
        rows_taps, cols_taps = slide(6, 3, stride, 1, mode), slide(7, 3, stride, 1, mode)
        source = {"constant": lambda i, n: i, "replicate": lambda i, n: min(max(i, 0), n - 1),
                  "wrap": lambda i, n: i % n}[border]
        for a, taps_r in enumerate(rows_taps):
            for b, taps_c in enumerate(cols_taps):
                reads[a, b] = any(source(i, 6) == row and source(j, 7) == col
                                  for i in taps_r for j in taps_c)
        values, classes, notes = grid(dl, "Output: the")
        np.testing.assert_allclose(values, base, atol=1e-9)
        np.testing.assert_array_equal(marked(classes, "fed"), reads)
        met = np.zeros(base.shape)
        for (a, b), note in np.ndenumerate(notes):
            if note:
                met[a, b] = number(note.rsplit("= ", 1)[1])
        np.testing.assert_allclose(met, gradient, atol=1e-9)
        sentence = text(dl, f"Input cell x={col}, y={row} is read by")
        assert f"read by **{reads.sum()}** of the {base.size} windows" in sentence
        assert "backpropagation" in sentence
        _, input_classes, _ = grid(dl, "Input: cell")
        assert np.argwhere(marked(input_classes, "pick")).tolist() == [[row, col]]
    assert_healthy(dl)


# ------------------------------------------------------------------------- channels


def colour_crop() -> np.ndarray:
    """The page's 6 x 6 colour crop of the sample when the working image is gray."""
    astronaut = convkit.fit_to_pixels(convkit.load_sample("astronaut"), 256)
    return convkit.lessons.busiest_crop(astronaut, 6, channels=True)[0]


@pytest.mark.parametrize("name", ["vertical edges", "red minus green", "blue spots"])
def test_channels_sum_to_one_map_per_filter(dl, name):
    crop = colour_crop()
    names, filters = convkit.lessons.rgb_filters()
    f = names.index(name)
    dl.selectbox(key="dl_filter").set_value(name)
    dl.number_input(key="dl_rgb_row").set_value(1)
    dl.number_input(key="dl_rgb_col").set_value(4).run()
    assert_healthy(dl)
    per_channel = [signal.correlate2d(crop[..., ch], filters[f, ch], "same") for ch in range(3)]
    for ch, label in enumerate(("red", "green", "blue")):
        values, classes, _ = grid(dl, f"{label} values")
        np.testing.assert_array_equal(values, np.pad(crop[..., ch], 1)[1:4, 4:7])
        shown_sum = number(text(dl, f"{label} sum:").split("**")[1])
        assert shown_sum == pytest.approx(per_channel[ch][1, 4], rel=1e-3, abs=1e-3)
    total = number(re.search(r"= \*\*(−?[\d.]+)\*\*", text(dl, "Output x=4, y=1 of")).group(1))
    assert total == pytest.approx(sum(p[1, 4] for p in per_channel), rel=1e-5)
    # The layer: one map per filter, each the sum over channels of its slices.
    for g, other in enumerate(names):
        values, classes, _ = grid(dl, other)
        expected = sum(signal.correlate2d(crop[..., ch], filters[g, ch], "same")
                       for ch in range(3))
        np.testing.assert_allclose(values, expected, rtol=1e-3, atol=1e-9)
        assert marked(classes, "now").any() == (g == f)


def test_a_colour_working_image_is_used_for_the_channels(app):
    app.session_state["color"] = True
    app.session_state["source"] = "coffee"
    open_page(app, "deep_learning")
    assert not any("uses the colour sample" in c.value for c in app.caption)
    assert "coffee" not in " ".join(c.value for c in app.caption)  # a crop, not a name
    values, _, _ = grid(app, "red values")
    assert values.shape == (3, 3)


# --------------------------------------------------------------- bias, ReLU, pooling


@pytest.mark.parametrize(("bias", "relu", "kind", "size"), [
    (0.0, True, "max", 2), (50.0, True, "average", 3), (-20.0, False, "max", 3),
    (10.0, True, "none", 2),
])
def test_bias_relu_and_pooling_against_numpy(dl, bias, relu, kind, size):
    crop = colour_crop()
    _, filters = convkit.lessons.rgb_filters()
    conv = sum(signal.correlate2d(crop[..., ch], filters[0, ch], "same") for ch in range(3))
    dl.number_input(key="dl_bias").set_value(bias)
    dl.toggle(key="dl_relu").set_value(relu)
    dl.selectbox(key="dl_pool").set_value(kind)
    dl.selectbox(key="dl_pool_size").set_value(size)
    dl.number_input(key="dl_rgb_row").set_value(3)
    dl.number_input(key="dl_rgb_col").set_value(2).run()
    assert_healthy(dl)
    activated = np.maximum(conv + bias, 0) if relu else conv + bias
    if relu:
        np.testing.assert_allclose(grid(dl, "conv + bias")[0], conv + bias, rtol=1e-3)
    last = "after ReLU" if relu else "conv + bias"
    np.testing.assert_allclose(grid(dl, last)[0], activated, rtol=1e-3, atol=1e-9)
    line = text(dl, "At output x=2, y=3")
    assert ("ReLU" in line) == relu
    if kind == "none":
        assert not any(m.label.startswith("Output size after") for m in dl.metric)
        return
    out = 6 // size
    windows = activated[: out * size, : out * size].reshape(out, size, out, size)
    pooled = windows.max(axis=(1, 3)) if kind == "max" else windows.mean(axis=(1, 3))
    values, classes, _ = grid(dl, f"{kind} pooled")
    np.testing.assert_allclose(values, pooled, rtol=1e-3, atol=1e-9)
    assert metric(dl, "Output size after pooling") == f"6 x 6 → {out} x {out}"
    p_row, p_col = 3 // size, 2 // size
    assert marked(classes, "now")[p_row, p_col]
    shown = number(re.search(r"= \*\*(−?[\d.]+)\*\*", text(dl, "Pooling:")).group(1))
    assert shown == pytest.approx(pooled[p_row, p_col], rel=1e-4, abs=1e-9)


# -------------------------------------------------------------------- learning


def plotted(values) -> np.ndarray:
    """A plotly figure's array as sent to the browser: a list, or typed bytes in base64."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
    return np.asarray(values, dtype=float)


def test_gradient_descent_finds_the_hidden_kernel(dl):
    for name in ("sharpen", "gaussian_5"):
        dl.selectbox(key="dl_hidden").set_value(name).run()
        assert_healthy(dl)
        assert "weights are the hidden kernel's" in dl.success[0].value
        learnt, _, _ = grid(dl, "Learnt by gradient descent")
        hidden = convkit.BANK[name].weights
        np.testing.assert_allclose(learnt, hidden, rtol=1e-3, atol=1e-9)
        assert metric(dl, "Largest weight error |learned − hidden|") == "0"
        assert not dl.get("plotly_chart")  # Plotly's 1.4 MB only once the visitor asks
        open_expander(dl, "dl_curves_expander")
        assert len(dl.get("plotly_chart")) == 2  # the loss curve and the weights' paths
        paths = json.loads(dl.get("plotly_chart")[1].proto.spec)
        # One path per weight ending at the learnt value, and the hidden value dotted across
        # the whole plot in the path's colour.
        ends = [plotted(trace["y"])[-1] for trace in paths["data"]]
        np.testing.assert_allclose(ends, hidden.ravel(), rtol=1e-3, atol=1e-9)
        lines = paths["layout"]["shapes"]
        assert [line["y0"] for line in lines] == [line["y1"] for line in lines] == list(
            hidden.ravel())
        assert all((line["xref"], line["x0"], line["x1"], line["line"]["dash"])
                   == ("x domain", 0, 1, "dot") for line in lines)
        assert [line["line"]["color"] for line in lines] == [
            trace["line"]["color"] for trace in paths["data"]]
        titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"]
                  for chart in dl.get("plotly_chart")]
        assert titles == ["Loss", "Each weight (line) and its hidden value (dotted)"]
        dl.session_state["dl_curves_expander"] = False


def test_too_large_a_learning_rate_is_reported_not_drawn(dl):
    dl.select_slider(key="dl_lr").set_value(1.5).run()
    assert_healthy(dl)
    assert "Diverged" in dl.error[0].value
    limit = float(re.search(r"below a learning rate of ([\d.]+)", dl.error[0].value).group(1))
    assert limit < 1.5
    assert not dl.get("plotly_chart")
    assert not any(k.startswith("Learnt") for k in grids(dl))


def test_a_photo_learns_slowly_and_says_so(dl):
    dl.radio(key="dl_train_on").set_value("crop of the image")
    dl.slider(key="dl_steps").set_value(100).run()
    assert_healthy(dl)
    assert not dl.success
    message = dl.info[0].value
    assert "Still descending" in message or "weights are still" in message
    error = float(metric(dl, "Largest weight error |learned − hidden|"))
    assert error > 1e-3


def test_a_full_compute_line_is_told_and_the_training_runs_once_there_is_room(dl,
                                                                             monkeypatch):
    """Another visitor's computation under way and no room to wait: a new number of steps
    says the training cannot start now (no crash, no figures); once the line is free, the
    same steps train and the result shows."""
    queue = WorkQueue(1, 0, name="computations", max_bytes=2**30, reentrant=True)
    monkeypatch.setitem(QUEUES, "compute", queue)
    release = threading.Event()

    def other_visitor():
        with queue.slot():
            release.wait(BOUND_S)

    holder = start(other_visitor)
    wait_until(lambda: queue.busy == 1)
    dl.slider(key="dl_steps").set_value(370).run()
    release.set()
    join_all([holder])
    assert_healthy(dl)
    assert [w.value for w in dl.warning] == [
        "The training cannot start now: The server is busy: 1 computation is being worked on "
        "and no more can wait. Try again in a minute."]
    assert not dl.get("plotly_chart") and not dl.success
    dl.run()
    assert_healthy(dl)
    assert not dl.warning and dl.success
    open_expander(dl, "dl_curves_expander")
    assert len(dl.get("plotly_chart")) == 2
    learnt, _, _ = grid(dl, "Learnt by gradient descent")
    np.testing.assert_allclose(learnt, convkit.BANK["sobel_x"].weights, rtol=1e-3, atol=1e-9)


def tables(at: AppTest) -> tuple[np.ndarray, np.ndarray]:
    hidden, learned = (t.value.to_numpy() for t in at.dataframe[1:])
    return hidden, learned


@pytest.mark.parametrize("name", ["emboss", "gaussian_5", "unsharp_mask"])
def test_least_squares_equals_the_bank_kernel_without_noise(dl, name):
    dl.selectbox(key="dl_hidden").set_value(name).run()
    hidden, learned = tables(dl)
    bank = convkit.BANK[name].weights
    np.testing.assert_array_equal(hidden, bank)
    assert np.abs(learned - bank).max() < 1e-6
    assert metric(dl, "Largest weight error |learned − true|") == "0"  # noise shown as 0
    assert metric(dl, "RMS residual (gray levels)") == "0"


def test_noise_makes_the_fit_approximate(dl):
    dl.selectbox(key="dl_hidden").set_value("sobel_y")
    dl.slider(key="dl_noise").set_value(8.0).run()
    _, learned = tables(dl)
    error = np.abs(learned - convkit.BANK["sobel_y"].weights).max()
    assert 1e-4 < error < 0.1
    assert float(metric(dl, "Largest weight error |learned − true|")) == pytest.approx(
        error, rel=1e-2)
    # The residual is the noise the kernel cannot explain: close to its standard deviation.
    assert float(metric(dl, "RMS residual (gray levels)")) == pytest.approx(8.0, rel=0.05)
    assert_healthy(dl)


def test_hidden_kernels_are_the_small_ones(dl):
    options = dl.selectbox(key="dl_hidden").options
    small = [n for n, k in convkit.BANK.items() if max(k.shape) <= 5]
    assert all(any(o.startswith(f"{n} (") for o in options) for n in small)
    assert not any(o.startswith(("small_blur", "large_blur", "log_9")) for o in options)


def test_downloads_are_offered(dl):
    labels = [b.proto.label for b in dl.get("download_button")]
    assert "Download the learned kernel (CSV)" in labels


def test_the_training_target_is_mapped_with_the_divisor_and_offset(monkeypatch):
    """divide, divisor 4, offset 128: the target picture's bytes are scipy's sum / 4 + 128."""
    from scipy import ndimage

    from pages.ui import cache

    calls = []
    real = convkit.to_uint8

    def spy(raw, mapping="clip", **options):
        result = real(raw, mapping, **options)
        calls.append((np.array(raw), mapping, options, result))
        return result

    monkeypatch.setattr(convkit, "to_uint8", spy)
    cache.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"image": "camera", "mapping": "divide", "divisor": "4",
                       "offset": "128"}.items():
        at.query_params[key] = value
    at.run()
    open_page(at, "deep_learning")
    gray = convkit.fit_to_pixels(convkit.fit_to_pixels(convkit.load_sample("camera"), 1024), 256)
    expected = ndimage.correlate(gray.astype(float), convkit.BANK["sobel_x"].weights,
                                 mode="nearest")  # the hidden kernel, replicate border
    targets = [(raw, options, shown) for raw, mapping, options, shown in calls
               if mapping == "divide" and raw.shape == gray.shape]
    assert targets, [(raw.shape, mapping) for raw, mapping, _, _ in calls]
    raw, options, shown = targets[-1]
    np.testing.assert_allclose(raw, expected, atol=1e-3)
    assert options == {"divisor": 4.0, "offset": 128.0}
    np.testing.assert_array_equal(shown, np.clip(np.rint(expected / 4 + 128), 0, 255))
    captions = [image.caption for element in at.get("image") for image in element.proto.imgs]
    assert "Target: filtered + noise (divide mapping)" in captions
