"""AppTest tests of the kernel lab: editing, generators, properties, composition, saving, files."""

from __future__ import annotations

import io

import numpy as np
import pytest
import scipy.signal
from apptest_helpers import assert_healthy, component_data, open_expander, open_page
from streamlit.testing.v1 import AppTest

import convkit

SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)


@pytest.fixture
def lab(app: AppTest) -> AppTest:
    # A small working image keeps every rerun quick.
    app.sidebar.select_slider(key="resolution").set_value(256).run()
    return open_page(app, "kernel_lab")


def weights(at: AppTest) -> np.ndarray:
    return np.asarray(at.session_state["lab_weights"])


def editor_key(at: AppTest) -> str:
    """The key the kernel table was mounted under."""
    (element,) = [e for e in at.get("bidi_component")
                  if e.proto.component_name == "convkit_kernel_grid"]
    return element.proto.id.rsplit("-", 1)[-1]


def table_text(at: AppTest) -> list[list[str]]:
    """The text of the kernel table's boxes, as the page sent them to the browser."""
    return component_data(at, "convkit_kernel_grid")["cells"]


def table_values(at: AppTest) -> np.ndarray:
    return np.array(table_text(at), dtype=float)


def edit(at: AppTest, cells: dict[tuple[int, int], object]) -> AppTest:
    """Type into table cells, (row, column) counted from 1, as the browser's table sends its
    boxes (None: a box left empty)."""
    table = table_text(at)
    for (row, col), text in cells.items():
        table[row - 1][col - 1] = "" if text is None else text
    at.session_state["lab_cells"] = table
    return at.run()


def shown(text: str) -> float:
    """A number as the page writes it (U+2212 for minus) read back."""
    return float(text.replace("−", "-"))


def metric(at: AppTest, label_start: str) -> str:
    matches = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert len(matches) == 1, [m.label for m in at.metric]
    return matches[0]


def composed_table(at: AppTest) -> np.ndarray:
    """The values of A * B: the page's one read-only table."""
    tables = [t for t in at.dataframe if t.editing_mode == "read_only"]
    assert len(tables) == 1
    return tables[0].value.to_numpy()


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def successes(at: AppTest) -> str:
    return " | ".join(s.value for s in at.success)


def test_defaults_show_the_sidebar_kernel_and_its_properties(lab):
    assert lab.title[0].value == "Kernel lab"
    np.testing.assert_array_equal(weights(lab), SHARPEN)
    table = table_values(lab)
    assert table.shape == (3, 3)
    np.testing.assert_array_equal(table, SHARPEN)
    assert shown(metric(lab, "Sum of the weights")) == SHARPEN.sum()
    assert metric(lab, "Size") == "3 x 3"
    text = " ".join(m.value for m in lab.markdown)
    assert f"rank **{np.linalg.matrix_rank(SHARPEN)}**" in text
    assert "left-right mirror" in text and "up-down mirror" in text
    captions = [c for image in lab.image for c in image.captions]
    assert len(captions) == 3 and "(input)" in captions[0] and "Your 3x3 kernel" in captions[1]
    assert captions[2] == "Your kernel applied 3 times, clip mapping"
    assert not lab.error


def test_typed_fraction_is_parsed_and_unchanged_cells_keep_their_values(lab):
    edit(lab, {(1, 1): "1/9", (3, 3): " -2.5 "})
    expected = SHARPEN.copy()
    expected[0, 0], expected[2, 2] = 1 / 9, -2.5
    np.testing.assert_allclose(weights(lab), expected)
    assert shown(metric(lab, "Sum of the weights")) == pytest.approx(expected.sum(), abs=1e-5)
    assert not lab.error


@pytest.mark.parametrize(("text", "message"), [("abc", "not a number"), (None, "empty"),
                                               ("", "empty"), ("1/0", "not a number")])
def test_bad_cells_give_a_clear_error_and_the_page_stays_usable(lab, text, message):
    edit(lab, {(2, 3): text})
    assert "x=2, y=1" in errors(lab) and message in errors(lab)
    np.testing.assert_array_equal(weights(lab), SHARPEN)  # the last valid kernel is kept
    assert_healthy(lab)
    lab.button(key="lab_save").click().run()  # saving refuses a broken table
    assert "Give the kernel a name" in errors(lab) or "Fix the table" in errors(lab)


def test_even_size_is_refused_and_resizing_keeps_the_centre(lab):
    lab.number_input(key="lab_rows").set_value(4).run()
    assert "odd number of rows and columns" in errors(lab)
    assert weights(lab).shape == (3, 3)
    assert_healthy(lab)
    lab.number_input(key="lab_rows").set_value(5).run()
    lab.number_input(key="lab_cols").set_value(1).run()
    assert not lab.error
    expected = np.pad(SHARPEN, ((1, 1), (0, 0)))[:, 1:2]  # zeros above and below, centre column
    np.testing.assert_array_equal(weights(lab), expected)
    np.testing.assert_array_equal(table_values(lab), expected)


def test_normalise_scales_to_sum_one_and_refuses_sum_zero(lab):
    edit(lab, {(2, 2): "10"})  # sum 6
    lab.button(key="lab_normalise").click().run()
    raw = SHARPEN.copy()
    raw[1, 1] = 10
    np.testing.assert_allclose(weights(lab), raw / 6)
    assert shown(metric(lab, "Sum of the weights")) == pytest.approx(1)

    lab.selectbox(key="lab_start").set_value("laplacian").run()
    lab.button(key="lab_load_start").click().run()
    np.testing.assert_array_equal(weights(lab), convkit.BANK["laplacian"].weights)
    lab.button(key="lab_normalise").click().run()
    assert "sums to 0" in errors(lab)
    np.testing.assert_array_equal(weights(lab), convkit.BANK["laplacian"].weights)
    assert_healthy(lab)


def test_generators_replace_the_table(lab):
    first_key = editor_key(lab)
    lab.slider(key="lab_motion_length").set_value(5)
    lab.slider(key="lab_motion_angle").set_value(0)
    lab.button(key="lab_load_motion").click().run()
    expected = np.zeros((5, 5))
    expected[2] = 0.2  # a horizontal streak: the mean of five pixels in a row
    np.testing.assert_allclose(weights(lab), expected)
    assert editor_key(lab) != first_key
    np.testing.assert_allclose(table_values(lab), expected)
    assert lab.number_input(key="lab_rows").value == 5
    assert "Loaded a motion blur" in successes(lab)

    lab.slider(key="lab_box_h").set_value(3)
    lab.slider(key="lab_box_w").set_value(7)
    lab.button(key="lab_load_box").click().run()
    np.testing.assert_allclose(weights(lab), np.full((3, 7), 1 / 21))
    text = " ".join(m.value for m in lab.markdown)
    assert "rank **1**" in text and "3 + 7 = 10 multiplications" in text

    lab.button(key="lab_load_gaussian").click().run()
    g = np.exp(-np.arange(-2, 3) ** 2 / 2)
    np.testing.assert_allclose(weights(lab), np.outer(g, g) / np.outer(g, g).sum())


def test_save_refuses_bad_names_then_appears_in_the_sidebar_everywhere(lab):
    lab.text_input(key="lab_name").input("").run()
    lab.button(key="lab_save").click().run()
    assert "Give the kernel a name" in errors(lab)
    lab.text_input(key="lab_name").input("sobel_x").run()
    lab.button(key="lab_save").click().run()
    assert "name of a bank kernel" in errors(lab)

    edit(lab, {(1, 1): "2"})
    lab.text_input(key="lab_name").input("my edge").run()
    lab.button(key="lab_save").click().run()
    assert "Saved **my edge**" in successes(lab)
    assert "my edge" in lab.sidebar.selectbox(key="kernel_name").options[-1]
    saved = lab.session_state["user_kernels"]["my edge"]
    expected = SHARPEN.copy()
    expected[0, 0] = 2
    np.testing.assert_array_equal(saved.weights, expected)

    open_page(lab, "home")
    assert any("my edge" in option for option in lab.sidebar.selectbox(key="kernel_name").options)
    open_page(lab, "deep_learning")
    options = lab.sidebar.selectbox(key="kernel_name").options
    assert any(option == "my edge (3x3)" for option in options)

    # Back in the lab, the typed edit is still there (Streamlit drops a hidden table's edits).
    open_page(lab, "kernel_lab")
    np.testing.assert_array_equal(weights(lab), expected)
    np.testing.assert_array_equal(table_values(lab), expected)
    assert lab.number_input(key="lab_rows").value == 3


def test_composition_preset_equals_scipy_full_convolution(lab):
    lab.selectbox(key="lab_preset").set_value(
        "Laplacian of Laplacian (a 5x5 fourth derivative)").run()
    assert lab.selectbox(key="lab_comp_a").value == "laplacian"
    table = composed_table(lab)
    lap = convkit.BANK["laplacian"].weights
    assert table.shape == (5, 5)
    np.testing.assert_allclose(table, scipy.signal.convolve2d(lap, lap), atol=1e-12)
    assert shown(metric(lab, "Largest difference")) < 1e-2

    # Your own kernel as A: the edited weights take part.
    edit(lab, {(1, 3): "3"})
    lab.selectbox(key="lab_comp_a").set_value("__lab__")
    lab.selectbox(key="lab_comp_b").set_value("sobel_y").run()
    mine = SHARPEN.copy()
    mine[0, 2] = 3
    table = composed_table(lab)
    np.testing.assert_allclose(table, scipy.signal.convolve2d(mine,
                                                              convkit.BANK["sobel_y"].weights))
    lab.button(key="lab_load_composed").click().run()
    assert weights(lab).shape == (5, 5)


def test_upload_csv_and_npy_and_refuse_bad_files(lab):
    uploader = lab.get("file_uploader")
    lab_uploader = next(u for u in uploader if u.key == "lab_upload")
    lab_uploader.set_value(("mine.csv", b"1/16, 2/16, 1/16\n2/16 ,4/16,2/16\n1/16,2/16,1/16\n",
                            "text/csv")).run()
    np.testing.assert_allclose(weights(lab), np.outer([1, 2, 1], [1, 2, 1]) / 16)
    assert "Loaded **mine.csv**" in successes(lab)

    buffer = io.BytesIO()
    np.save(buffer, np.arange(15.0).reshape(3, 5))
    lab_uploader = next(u for u in lab.get("file_uploader") if u.key == "lab_upload")
    lab_uploader.set_value(("k.npy", buffer.getvalue(), "application/octet-stream")).run()
    np.testing.assert_array_equal(weights(lab), np.arange(15.0).reshape(3, 5))

    lab_uploader = next(u for u in lab.get("file_uploader") if u.key == "lab_upload")
    lab_uploader.set_value(("even.csv", b"1,2\n3,4\n", "text/csv")).run()
    assert "Cannot read even.csv" in errors(lab) and "odd" in errors(lab)
    np.testing.assert_array_equal(weights(lab), np.arange(15.0).reshape(3, 5))
    assert_healthy(lab)



def test_apply_again_three_box_blurs_against_a_gaussian(lab):
    """A 5 x 5 box applied 3 times: variance 3 (25 - 1) / 12 = 6, so sigma = sqrt(6) = 2.449;
    the stated gap is the largest one between scipy's composed profile and that Gaussian."""
    lab.button(key="lab_times_box").click().run()
    assert_healthy(lab)
    box = np.ones((5, 5)) / 25
    np.testing.assert_array_equal(weights(lab), box)
    composed = scipy.signal.convolve2d(scipy.signal.convolve2d(box, box), box)
    profile = composed.sum(axis=0)
    offsets = np.arange(profile.size) - profile.size // 2
    bell = np.exp(-offsets**2 / (2 * 6.0))
    gap = np.abs(profile - bell / bell.sum()).max() / profile.max()
    caption = " ".join(c.value for c in lab.caption if "passes = one" in c.value)
    assert "3 passes = one 13 x 13 kernel" in caption
    assert "sigma 2.45 px" in caption
    assert f"{100 * gap:.2g} % of the peak" in caption
    # One pass: the flat profile 0.2 x 5 against the Gaussian of variance (25 - 1) / 12 = 2.
    one = np.arange(-2, 3)
    bell = np.exp(-one**2 / 4.0)
    first_gap = np.abs(0.2 - bell / bell.sum()).max() / 0.2
    gaps = " ".join(c.value for c in lab.caption if c.value.startswith("The gap after"))
    assert gaps.startswith(f"The gap after 1, 2, … 10 passes: {100 * first_gap:.2g} %, ")


def test_apply_again_loads_the_composed_kernel(lab):
    """n = 2 on the sharpen kernel: no Gaussian (negative weights), and the composed 5 x 5
    kernel loaded into the editor is scipy's convolve2d of sharpen with itself."""
    lab.slider(key="lab_times").set_value(2).run()
    caption = " ".join(c.value for c in lab.caption if "passes = one" in c.value)
    assert "2 passes = one 5 x 5 kernel. No Gaussian to compare" in caption
    lab.button(key="lab_times_load").click().run()
    assert_healthy(lab)
    np.testing.assert_allclose(weights(lab), scipy.signal.convolve2d(SHARPEN, SHARPEN),
                               atol=1e-12)


def test_reproduce_code_uses_the_edited_kernel(lab):
    """The lab's code carries the kernel being edited, and its SciPy snippet runs to the
    page's settings (replicate border, clip) on the working image."""
    edit(lab, {(2, 2): "4"})
    assert_healthy(lab)
    edited = SHARPEN.copy()
    edited[1, 1] = 4
    open_expander(lab, "lab_code_expander")
    snippets = [c.value for c in lab.main.code if "raw =" in c.value]
    assert len(snippets) == 4
    namespace = {}
    exec(compile(snippets[2], "<lab snippet>", "exec"), namespace)  # noqa: S102
    np.testing.assert_array_equal(namespace["kernel"], edited)
    image = namespace["image"].astype(np.float64)
    import scipy.ndimage as ndi

    expected = np.clip(np.rint(ndi.correlate(image, edited, mode="nearest")), 0, 255)
    np.testing.assert_array_equal(namespace["output"], expected.astype(np.uint8))


@pytest.mark.parametrize("rows", [40, 0, -3])
def test_a_size_out_of_bounds_is_explained_in_words_and_nothing_is_loaded(lab, rows):
    """Rows of 40, 0 or -3: the page says the bounds and that the kernel stays 3 x 3, claims
    no load, and the kernel is unchanged."""
    lab.number_input(key="lab_rows").set_value(rows).run()
    message = errors(lab)
    assert f"1 to {convkit.MAX_KERNEL_SIDE} rows and columns: {rows} x 3 cannot be used" in message
    assert "The kernel stays 3 x 3" in message
    assert "Loaded" not in successes(lab)
    np.testing.assert_array_equal(weights(lab), SHARPEN)
    assert_healthy(lab)


def test_the_size_bounds_are_written_beside_the_boxes_and_a_refusal_claims_no_load(lab):
    """The bounds are on the page, not only on hover. After a resize to 5 x 3 (said), a typed
    40 is refused in words with no "Loaded" left over; going back from a refused 4 to the size
    the kernel has reloads nothing, so a typed weight stays."""
    captions = " ".join(c.value for c in lab.caption)
    assert f"odd numbers from 1 to {convkit.MAX_KERNEL_SIDE}" in captions
    lab.number_input(key="lab_rows").set_value(5).run()
    assert "Loaded the resized kernel (5 x 3)" in successes(lab)
    lab.number_input(key="lab_rows").set_value(40).run()
    assert "40 x 3 cannot be used" in errors(lab) and "The kernel stays 5 x 3" in errors(lab)
    assert "Loaded" not in successes(lab)
    assert weights(lab).shape == (5, 3)

    edit(lab, {(1, 1): "2"})
    lab.number_input(key="lab_rows").set_value(4).run()
    assert "odd number of rows and columns" in errors(lab)
    lab.number_input(key="lab_rows").set_value(5).run()
    assert not lab.error and "Loaded" not in successes(lab)
    assert weights(lab)[0, 0] == 2 and table_text(lab)[0][0] == "2"
