"""The generated code is run: convkit, OpenCV and SciPy snippets must give convkit's numbers."""


import numpy as np
import pytest

import convkit
from convkit.explain import LIBRARIES, kernel_literal, reproduce

from .references import random_image

BORDERS = convkit.BORDER_MODES
MAPPING_SETTINGS = {
    "clip": {},
    "abs": {},
    "minmax": {},
    "tutorial": {},
    "divide": {"divisor": 3.0, "offset": 128.0},
}
#: Odd, non-square, asymmetric kernels (a flip changes their result), and a fractional one.
KERNELS = {
    "3x5 ramp": np.arange(15, dtype=np.float64).reshape(3, 5) - 7,
    "5x3 fractions": np.arange(1, 16, dtype=np.float64).reshape(5, 3) / 40,
    "1x3 derivative": np.array([[-1.0, 0.0, 2.0]]),
}


def rounding_value(raw, mapping, settings):
    """The number each mapping rounds (or truncates): where a float hair decides the byte."""
    raw = raw.astype(np.float64)
    if mapping == "abs":
        return np.abs(raw)
    if mapping == "divide":
        return raw / settings["divisor"] + settings["offset"]
    if mapping == "minmax":
        return (raw - raw.min()) * 255.0 / (raw.max() - raw.min())
    return raw


def near_boundary(value, mapping):
    """Whether a value is within 1e-3 of where its byte changes (.5 for rounding, .0 for the
    tutorial's truncation), so two correct float sums may fall either side."""
    fraction = np.mod(value, 1.0)
    if mapping == "tutorial":
        return np.minimum(fraction, 1 - fraction) < 1e-3
    return np.abs(fraction - 0.5) < 1e-3


def run(code, image):
    namespace = {"image": image}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - the point of the test
    return namespace["raw"], namespace["output"]


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(11)
    return {"gray": random_image(rng, (23, 29), np.uint8),
            "colour": random_image(rng, (23, 29, 3), np.uint8)}


@pytest.mark.parametrize("kernel_name", list(KERNELS))
@pytest.mark.parametrize("mapping", list(MAPPING_SETTINGS))
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("kind", ["gray", "colour"])
def test_snippets_give_convkits_numbers(images, kind, border, flip, mapping, kernel_name):
    """Each runnable snippet's raw response and bytes equal convolve's and to_uint8's."""
    image, weights = images[kind], KERNELS[kernel_name]
    settings = MAPPING_SETTINGS[mapping]
    value = 37.5 if border == "constant" and kernel_name != "1x3 derivative" else 0.0
    expected_raw = convkit.convolve(image, weights, border, flip=flip, value=value)
    expected = convkit.to_uint8(expected_raw, mapping, **settings)
    code = reproduce(weights, border, flip=flip, value=value, mapping=mapping,
                     color=kind == "colour", **settings)
    for snippet in code.snippets:
        if not snippet.runs:
            continue
        raw, output = run(snippet.code, image)
        assert raw.shape == expected_raw.shape, snippet.library
        np.testing.assert_allclose(raw, expected_raw, rtol=1e-5, atol=1e-3,
                                   err_msg=snippet.library)
        assert output.dtype == np.uint8
        differ = output != expected
        hairline = near_boundary(rounding_value(expected_raw, mapping, settings), mapping)
        assert not (differ & ~hairline).any(), f"{snippet.library}:\n{snippet.code}"
        assert np.abs(output.astype(int) - expected).max(initial=0) <= 1


def test_snippets_load_the_pages_working_image():
    """With a sample, each runnable snippet loads the page's image itself, and agrees."""
    weights = convkit.BANK["sobel_x"].weights
    image = convkit.fit_to_pixels(convkit.to_gray(convkit.load_sample("camera")), 128)
    expected = convkit.to_uint8(convkit.convolve(image, weights, "reflect_101"), "abs")
    code = reproduce(weights, "reflect_101", mapping="abs", sample="camera", resolution=128)
    for snippet in code.snippets:
        if snippet.runs:
            namespace = {}
            exec(compile(snippet.code, "<snippet>", "exec"), namespace)  # noqa: S102
            np.testing.assert_array_equal(namespace["output"], expected, snippet.library)


def test_flipping_alone_is_true_convolution_for_odd_kernels():
    """For odd kernels the flipped kernel's anchor is its centre: cv2.filter2D with the flipped
    kernel and the default anchor equals scipy.ndimage.convolve."""
    import cv2
    import scipy.ndimage as ndi

    image = random_image(np.random.default_rng(12), (15, 17), np.float32)
    for weights in KERNELS.values():
        height, width = weights.shape
        assert (width - 1 - width // 2, height - 1 - height // 2) == (width // 2, height // 2)
        flipped = cv2.filter2D(image, cv2.CV_32F, cv2.flip(weights, -1),
                               borderType=cv2.BORDER_REFLECT_101)
        np.testing.assert_allclose(flipped, ndi.convolve(image.astype(np.float64), weights,
                                                         mode="mirror"), atol=1e-3)


def test_opencv_code_shows_the_flip_and_anchor_only_when_flipping():
    """The OpenCV snippet flips with cv2.flip and passes the anchor only for convolution."""
    weights = KERNELS["3x5 ramp"]
    flipped = reproduce(weights, flip=True)["OpenCV"].code
    assert "cv2.flip(kernel, -1)" in flipped and "anchor=(2, 1)" in flipped
    plain = reproduce(weights)["OpenCV"].code
    assert "cv2.flip" not in plain and "anchor" not in plain


@pytest.mark.parametrize("border, mode", [("replicate", "nearest"), ("reflect_101", "mirror"),
                                          ("reflect", "reflect"), ("wrap", "wrap")])
def test_scipy_code_uses_scipys_mode_name(border, mode):
    """The SciPy snippet names the mode as scipy.ndimage does."""
    assert f'mode="{mode}"' in reproduce([[1.0]], border)["SciPy"].code


def test_pytorch_text_names_padding_and_flip():
    """The PyTorch text pads with F.pad's mode, flips for convolution, notes symmetric's gap."""
    assert 'mode="circular"' in reproduce([[1.0, 2.0, 3.0]], "wrap")["PyTorch"].code
    assert "w.flip(0, 1)" in reproduce([[1.0, 2.0, 3.0]], flip=True)["PyTorch"].code
    reflect = reproduce([[1.0, 2.0, 3.0]], "reflect")["PyTorch"].code
    assert "no symmetric padding" in reflect and 'mode="symmetric"' in reflect
    assert not reproduce([[1.0]])["PyTorch"].runs
    assert tuple(s.library for s in reproduce([[1.0]]).snippets) == LIBRARIES


def test_kernel_literal_is_exact():
    """The literal evaluates to the very same float64 weights (fractions over a denominator)."""
    for weights in [*KERNELS.values(), convkit.BANK["gaussian_15"].weights,
                    convkit.BANK["log_9"].weights, np.ones((3, 3)) / 9]:
        rebuilt = eval(kernel_literal(weights), {"np": np})  # noqa: S307
        assert rebuilt.dtype == np.float64
        np.testing.assert_array_equal(rebuilt, weights)
    assert kernel_literal(np.ones((3, 3)) / 9).endswith(") / 9")


@pytest.mark.parametrize("kwargs, message", [
    ({"border": "mirror"}, r"border must be one of .*got 'mirror'"),
    ({"mapping": "loud"}, r"mapping must be one of .*got 'loud'"),
    ({"mapping": "divide", "divisor": 0}, r"divisor must not be 0"),
    ({"sample": "nope"}, r"sample must be one of .* or None; got 'nope'"),
])
def test_bad_settings_are_refused_by_name(kwargs, message):
    """Bad settings raise ValueError naming the parameter and the value."""
    with pytest.raises(ValueError, match=message):
        reproduce([[1.0]], **kwargs)


def test_oversized_kernels_are_refused():
    """A kernel past 31 x 31 would make pages of code: refused."""
    with pytest.raises(ValueError, match=r"kernel is 33 x 1; at most 31 x 31"):
        reproduce(np.ones((33, 1)))


def test_kernel_literal_uses_the_least_common_denominator():
    """1/6, 1/3, 1/2 share the denominator 6; 1/1025 is past the limit and stays a decimal."""
    assert kernel_literal([[1 / 6, 1 / 3, 1 / 2]]).endswith("[1, 2, 3],\n], dtype=np.float64) / 6")
    past = kernel_literal([[1 / 1025]])
    assert "/ 1025" not in past and repr(1 / 1025) in past
