"""AppTest tests of the padding page: five modes, the 1-D hand table, the border band table."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
import scipy.ndimage as ndi
from apptest_helpers import assert_healthy, open_expander, open_page
from skimage import data

from convkit import BANK, BORDER_DRAWINGS, BORDER_MODES
from tests.unit.references import BORDER_NAMES


def row_table(at) -> dict[str, list[float]]:
    """The 1-D table as mode -> the padded row's numbers, left padding to right padding."""
    table = at.table[0].value
    return {mode: [float(v) for v in " ".join(table.loc[mode, ["padding on the left",
                                                                "the row",
                                                                "padding on the right"]]).split()]
            for mode in table.index}


def test_five_modes_side_by_side(app):
    """Five padded corners, five filtered corners and their five differences, named by mode."""
    open_page(app, "padding_modes")
    assert len(app.main.image) == 15
    names = [m.value for m in app.main.markdown if m.value.startswith("**") and
             m.value.strip("*") in BORDER_MODES]
    assert names == [f"**{mode}**" for mode in BORDER_MODES]
    captions = " ".join(c.value for c in app.main.caption)
    for drawing in BORDER_DRAWINGS.values():
        assert drawing in captions
    output_captions = [c for image in app.main.image for c in image.captions if c]
    assert [c.split(",")[0] for c in output_captions[::2]] == list(BORDER_MODES)
    assert output_captions[1::2] == [f"{mode} − reflect_101" for mode in BORDER_MODES]


@pytest.mark.parametrize("value", [0.0, 7.0])
def test_row_table_matches_numpy_pad(app, value):
    """The row 1 2 3 4 5 padded by 3 in each mode is what numpy.pad gives."""
    if value:
        app.sidebar.selectbox(key="border").set_value("constant").run()
        app.sidebar.number_input(key="value").set_value(value).run()
    open_page(app, "padding_modes")
    table = row_table(app)
    assert list(table) == list(BORDER_MODES)
    row = np.array([1, 2, 3, 4, 5], dtype=float)
    for mode, got in table.items():
        if mode == "constant":
            expected = np.pad(row, 3, mode="constant", constant_values=value)
        else:
            expected = np.pad(row, 3, mode=BORDER_NAMES[mode].numpy)
        assert got == expected.tolist(), mode


def test_band_table_matches_scipy(app):
    """Large blur: each mode's mean difference from reflect_101 in the band equals scipy's."""
    app.sidebar.selectbox(key="kernel_name").set_value("large_blur").run()
    open_page(app, "padding_modes")
    table = app.main.dataframe[0].value.set_index("mode")
    image = data.camera().astype(np.float64)
    weights = BANK["large_blur"].weights
    outputs = {mode: np.clip(np.rint(ndi.correlate(image, weights, mode=BORDER_NAMES[mode].scipy,
                                                   cval=0.0)), 0, 255)
               for mode in BORDER_MODES}
    band = np.zeros(image.shape, dtype=bool)
    band[:10], band[-10:], band[:, :10], band[:, -10:] = True, True, True, True
    for mode in BORDER_MODES:
        difference = outputs[mode][band] - outputs["reflect_101"][band]
        got = table.loc[mode]
        assert got["mean |difference| (grey levels)"] == pytest.approx(
            np.abs(difference).mean(), abs=0.011), mode
        assert got["mean difference (signed)"] == pytest.approx(difference.mean(), abs=0.011)
    # Zeros averaged into a blur darken its border.
    assert table.loc["constant", "at the edge"] == "darker frame"
    assert table.loc["reflect_101", "at the edge"] == "no difference"


def test_padding_amount_and_corner(app):
    """The slider sets how much padding is shown, the radio which corner (default: most detail)."""
    open_page(app, "padding_modes")
    camera = data.camera().astype(float)
    spreads = {"top-left": camera[:48, :48].std(), "top-right": camera[:48, -48:].std(),
               "bottom-left": camera[-48:, :48].std(), "bottom-right": camera[-48:, -48:].std()}
    busiest = max(spreads, key=spreads.get)
    assert any(f"The {busiest} 48 x 48 px corner" in s.value for s in app.main.header)
    app.slider(key="padding_amount").set_value(5).run()
    assert_healthy(app)
    assert any("padded by 5 px" in s.value for s in app.main.header)
    assert len(app.main.image) == 15
    app.selectbox(key="padding_corner").set_value("top-right").run()
    assert_healthy(app)
    assert any("top-right 48 x 48 px corner" in s.value for s in app.main.header)


def test_colour_image(app):
    """A colour image is padded and filtered in every mode, with a row per mode in the table."""
    app.sidebar.toggle(key="color").set_value(True).run()
    app.sidebar.selectbox(key="source").set_value("coffee").run()
    open_page(app, "padding_modes")
    assert len(app.main.image) == 15
    table = app.main.dataframe[0].value
    assert len(table) == 5


def test_upload_source_without_a_file(app):
    """Choosing 'upload' with nothing uploaded asks for a file instead of failing."""
    open_page(app, "padding_modes")
    app.sidebar.selectbox(key="source").set_value("upload").run()
    assert_healthy(app)
    assert any("Upload an image" in i.value for i in app.info)


def test_border_names_table_matches_the_references(app):
    """The names table gives scipy's, NumPy's and OpenCV's name of every mode, and the gaps."""
    open_page(app, "padding_modes")
    body = next(h.proto.body for h in app.get("html") if "Border modes by library" in h.proto.body)
    header = re.findall(r'<th scope="col">([^<]*)</th>', body)
    rows = {m.group(1): [html.unescape(v) for v in re.findall(r"<td>([^<]*)</td>", m.group(2))]
            for m in re.finditer(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', body)}
    names = pd.DataFrame.from_dict(rows, orient="index", columns=header[1:])
    assert list(names.index) == list(BORDER_MODES)
    for mode in BORDER_MODES:
        assert names.loc[mode, "scipy.ndimage"] == BORDER_NAMES[mode].scipy
        assert names.loc[mode, "NumPy pad"] == BORDER_NAMES[mode].numpy
    assert names.loc["reflect_101", "MATLAB imfilter"] == "none"
    assert names.loc["replicate", "GIMP"] == "Extend"


def test_reproduce_code_runs_and_gives_the_pages_bytes(app):
    """The page's convkit, OpenCV and SciPy snippets, run as shown, give scipy's bytes."""
    app.sidebar.selectbox(key="kernel_name").set_value("sobel_x").run()
    app.sidebar.selectbox(key="border").set_value("wrap").run()
    app.sidebar.toggle(key="flip").set_value(True).run()
    app.sidebar.selectbox(key="mapping").set_value("abs").run()
    open_page(app, "padding_modes")
    open_expander(app, "padding_code_expander")
    snippets = [c.value for c in app.main.code if "raw =" in c.value]
    assert len(snippets) == 4  # convkit, OpenCV, SciPy, PyTorch
    import convkit

    image = convkit.fit_to_pixels(data.camera(), 1024)
    raw = ndi.convolve(image.astype(np.float64), BANK["sobel_x"].weights, mode="grid-wrap")
    expected = np.clip(np.rint(np.abs(raw)), 0, 255).astype(np.uint8)
    for code in snippets[:3]:
        namespace = {}
        exec(compile(code, "<page snippet>", "exec"), namespace)  # noqa: S102
        # An integer kernel on integer pixels: every sum is exact, so every byte must match.
        np.testing.assert_array_equal(namespace["output"], expected)
