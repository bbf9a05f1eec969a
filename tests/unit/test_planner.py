"""The route planner as data: describe_route and what cv2.filter2D itself does with a kernel.

OpenCV's switch from a direct sum to a DFT is checked against OpenCV, not against the
planner's constants: on uint8 pixels an integer kernel's direct sum is exact in float32,
while the DFT leaves rounding noise, so filter2D's own output shows which path it took.
"""

import cv2
import numpy as np
import pytest

from convkit import BANK
from convkit.core import ROUTES, describe_route, filter2d_algorithm

from .references import BORDERS


def opencv_took_the_dft(shape, ddepth=cv2.CV_32F):
    """Whether cv2.filter2D(uint8, ddepth) left non-integers from an integer kernel (its DFT)."""
    rng = np.random.default_rng(sum(shape))
    image = rng.integers(0, 256, (64, 96)).astype(np.uint8)
    kernel = rng.integers(-2, 3, shape).astype(np.float64)
    out = cv2.filter2D(image, ddepth, kernel, borderType=cv2.BORDER_REFLECT_101)
    return not np.array_equal(out, np.rint(out))


@pytest.mark.parametrize("shape", [(1, 49), (7, 7), (5, 9), (1, 51), (5, 11), (9, 9), (3, 3),
                                   (15, 15)])
def test_filter2d_algorithm_on_uint8_to_float32_is_what_opencv_does(shape):
    """From 50 cells on, filter2D uint8 -> float32 uses its DFT: as OpenCV's output shows."""
    algorithm = filter2d_algorithm(shape, np.uint8, np.float32)
    assert algorithm.dft_min_cells == 50
    assert algorithm.algorithm == ("DFT" if opencv_took_the_dft(shape) else "direct sum")
    assert algorithm.cells == shape[0] * shape[1]
    assert algorithm.call == "cv2.filter2D(uint8 image, cv2.CV_32F, kernel)"


@pytest.mark.parametrize("shape, algorithm", [((3, 43), "direct sum"), ((1, 129), "direct sum"),
                                              ((1, 131), "DFT"), ((11, 13), "DFT")])
@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.uint8, np.uint8),
                                    (np.uint8, np.int16)])
def test_filter2d_algorithm_same_kind_switches_at_130_cells(shape, algorithm, dtypes):
    """float32 -> float32 and uint8 -> uint8 / int16 switch at 130 cells (OpenCV's source)."""
    described = filter2d_algorithm(shape, *dtypes)
    assert (described.algorithm, described.dft_min_cells) == (algorithm, 130)


@pytest.mark.parametrize("dtypes", [(np.uint8, np.float64), (np.float32, np.float64),
                                    (np.uint16, np.float32)])
def test_filter2d_algorithm_other_pairs_switch_at_50_cells(dtypes):
    """Every other pair of depths uses the DFT from 50 cells."""
    assert filter2d_algorithm((1, 49), *dtypes).algorithm == "direct sum"
    assert filter2d_algorithm((1, 51), *dtypes).algorithm == "DFT"


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("name", list(BANK))
def test_every_bank_kernel_has_a_described_route(name, dtype):
    """Each bank kernel gets a route, a reason and OpenCV's algorithm for both calls."""
    described = describe_route(BANK[name], dtype, "reflect_101")
    assert described.route in ROUTES
    assert described.reason and described.calls
    assert not described.padded_first and not described.per_channel
    weights = BANK[name].weights
    assert described.rank == np.linalg.matrix_rank(weights)
    same = filter2d_algorithm(weights.shape, dtype, dtype)
    assert described.opencv[0] == same
    if dtype == np.uint8:
        assert described.opencv[1] == filter2d_algorithm(weights.shape, np.uint8, np.float32)
    else:
        assert len(described.opencv) == 1


def test_describe_route_for_the_app_bank_on_uint8():
    """The routes docs/architecture.md describes for the app's uint8 pictures."""
    routes = {name: describe_route(kernel, np.uint8, "reflect_101") for name, kernel
              in BANK.items()}
    assert routes["identity"].route == "copy"
    assert routes["large_blur"].route == "box"
    for name in ("small_blur", "sobel_x", "sobel_y", "box_5", "horizontal_blur", "gaussian_5",
                 "gaussian_15", "prewitt_x", "prewitt_y", "scharr_x", "scharr_y"):
        assert routes[name].route == "separable", name
        assert not routes[name].converted and routes[name].source_dtype == "uint8"
    for name in ("sharpen", "laplacian", "emboss", "outline"):
        assert routes[name].route == "filter2D", name
        assert not routes[name].converted, name  # OpenCV reads the bytes
        big = describe_route(BANK[name], np.uint8, "reflect_101", image_shape=(3000, 4000))
        assert big.route == "filter2D_int16", name
    for name in ("log_9", "unsharp_mask", "motion_blur"):
        assert routes[name].converted and routes[name].source_dtype == "float32", name
        assert routes[name].calls == ("numpy convert to float32", "cv2.filter2D")
    # log_9 is 81 cells: filter2D uint8 -> float32 would use its DFT, the float32 call does not.
    assert [a.algorithm for a in routes["log_9"].opencv] == ["direct sum", "DFT"]


def test_flip_is_described_on_the_rotated_weights():
    """describe_route(flip=True) describes the weights rotated 180 degrees, as convolve uses."""
    lopsided = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0]] * 3)
    for dtype in (np.uint8, np.float32):
        assert (describe_route(lopsided, dtype, flip=True)
                == describe_route(lopsided[::-1, ::-1], dtype))


@pytest.mark.parametrize("border", BORDERS)
def test_padding_first_is_described(border):
    """wrap, a non-zero constant and a kernel larger than the image are padded by convkit."""
    big = describe_route(BANK["large_blur"], np.uint8, border, image_shape=(5, 40))
    assert big.padded_first and big.calls[0] == "cv2.copyMakeBorder"
    small = describe_route(BANK["sobel_x"], np.uint8, border, value=3.0)
    assert small.padded_first == (border in ("wrap", "constant"))


def test_a_fill_no_byte_holds_converts_uint8_first():
    """constant -4 on a uint8 image: padded as float32, so the route is the float32 one."""
    described = describe_route(BANK["sobel_x"], np.uint8, "constant", value=-4.0)
    assert described.converted and described.source_dtype == "float32"
    assert described.route == "filter2D"
    assert describe_route(BANK["sobel_x"], np.uint8, "constant", value=200.0).route == "separable"


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"kernel": np.ones((2, 2))}, "kernel must have an odd height and an odd width.*2 x 2"),
        ({"kernel": np.ones((3, 3)), "border": "mirror"},
         r"border must be one of \('replicate', .*\); got 'mirror'"),
        ({"kernel": np.ones((3, 3)), "value": float("nan")}, "value must be finite; got nan"),
        ({"kernel": np.ones((3, 3)), "image_shape": (4,)},
         r"image_shape must be \(height, width\) or \(height, width, channels\).*; got \(4,\)"),
        ({"kernel": np.ones((3, 3)), "image_shape": (4, 0)},
         r"image_shape must be .* whole numbers >= 1; got \(4, 0\)"),
    ],
    ids=["even", "border", "value", "1-D shape", "zero side"],
)
def test_describe_route_refuses_bad_arguments_by_name(arguments, message):
    """Bad kernels, borders, values and shapes are refused naming the parameter and value."""
    with pytest.raises(ValueError, match=message):
        describe_route(**arguments)
