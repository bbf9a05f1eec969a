"""diagnose_answer and mistaken_values: each mistake, made by an independent reference, is named.

Every wrong number here is computed without convkit: scipy.ndimage.correlate / convolve in the
border's own scipy mode, numpy.pad for the region, and each output mapping written in NumPy.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convkit
from tests.unit.references import BORDERS, HYPO, numpy_pad, scipy_filter

# An asymmetric kernel with integer weights: flipped, transposed and slipped sums all differ.
ASYMMETRIC = np.array([[1.0, 2.0, 0.0], [-1.0, 0.0, 3.0], [0.0, -2.0, 1.0]])
IMAGE = np.random.default_rng(24).integers(0, 256, size=(9, 11)).astype(np.float64)
# Corners, edges and the inside, (x, y).
PIXELS = [(0, 0), (10, 0), (0, 8), (10, 8), (5, 0), (0, 4), (10, 4), (5, 8), (5, 4)]


def reference_byte(total: float, mapping: str, *, divisor=1.0, offset=0.0, stretch=(0, 255),
                   truncate=None, clip=True) -> float:
    """The byte a raw sum becomes under `mapping`, written in NumPy from the mappings' docs.

    `truncate` overrides whether the mapping truncates (the tutorial's) or rounds (the
    others); `clip=False` leaves the value unclipped.
    """
    if mapping == "tutorial":
        value = float(np.float32(np.float32(total) / np.float32(255)) * np.float32(255))
        if clip:
            value = float(np.float32(np.float32(np.clip(total, 0, 255)) / np.float32(255))
                          * np.float32(255))
    elif mapping == "abs":
        value = abs(total)
    elif mapping == "divide":
        value = total / divisor + offset
    elif mapping == "minmax":
        low, high = stretch
        value = (total - low) * 255.0 / (high - low)
    else:
        value = total
    if clip:
        value = float(np.clip(value, 0, 255))
    truncates = mapping == "tutorial" if truncate is None else truncate
    return float(np.trunc(value) if truncates else np.rint(value))


def reference_sum(image, weights, x, y, border="replicate", flip=False, value=0.0) -> float:
    """The raw sum at (x, y) by scipy.ndimage."""
    return float(scipy_filter(image, weights, border, flip, value)[y, x])


def kinds(diagnosis) -> set[str]:
    return {m.kind for m in diagnosis.mistakes}


@pytest.mark.parametrize("x, y", PIXELS)
@pytest.mark.parametrize("flip", [False, True])
def test_right_byte_and_sum_are_accepted(x, y, flip):
    """The byte and the sum scipy gives are right, at corners, edges and inside."""
    total = reference_sum(IMAGE, ASYMMETRIC, x, y, "reflect_101", flip)
    byte = reference_byte(total, "clip")
    diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, x, y, byte, "reflect_101", flip=flip)
    assert diagnosis.right and diagnosis.truth == byte and diagnosis.mistakes == ()
    by_sum = convkit.diagnose_answer(IMAGE, ASYMMETRIC, x, y, total, "reflect_101", flip=flip,
                                     asked="sum")
    assert by_sum.right and by_sum.truth == pytest.approx(total)


@pytest.mark.parametrize("x, y", PIXELS)
@pytest.mark.parametrize("flip", [False, True])
def test_the_other_direction_is_named_flip(x, y, flip):
    """The page correlates and the student convolves (scipy.ndimage.convolve), or the reverse."""
    wrong = reference_sum(IMAGE, ASYMMETRIC, x, y, "replicate", not flip)
    right = reference_sum(IMAGE, ASYMMETRIC, x, y, "replicate", flip)
    assert wrong != right  # the asymmetric kernel makes every pixel of IMAGE differ
    diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, x, y, wrong, flip=flip, asked="sum")
    assert not diagnosis.right and "flip" in kinds(diagnosis)
    words = next(m.words for m in diagnosis.mistakes if m.kind == "flip")
    assert ("correlated" in words) == flip


@pytest.mark.parametrize("x, y", PIXELS)
def test_transposed_kernel_is_named(x, y):
    """The weights read rows for columns: scipy with the transposed kernel, then mapped."""
    for flip in (False, True):
        wrong = reference_byte(reference_sum(IMAGE, ASYMMETRIC.T, x, y, "wrap", flip), "abs")
        truth = reference_byte(reference_sum(IMAGE, ASYMMETRIC, x, y, "wrap", flip), "abs")
        diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, x, y, wrong, "wrap", flip=flip,
                                            mapping="abs")
        assert diagnosis.truth == truth
        if wrong != truth:
            assert "transposed" in kinds(diagnosis)


def test_truncating_where_the_mapping_rounds_and_the_reverse():
    """Box blur sums with fractions well above one half: clip rounds, the tutorial truncates."""
    box = np.full((3, 3), 1 / 9)
    sums = scipy_filter(IMAGE, box, "replicate")
    fractions = sums - np.floor(sums)
    ys, xs = np.nonzero((fractions > 0.55) & (fractions < 0.95) & (sums < 254))
    assert len(xs) >= 3
    for x, y in list(zip(xs.tolist(), ys.tolist(), strict=True))[:3]:
        total = float(sums[y, x])
        truncated = reference_byte(total, "clip", truncate=True)
        diagnosis = convkit.diagnose_answer(IMAGE, box, x, y, truncated, mapping="clip")
        assert not diagnosis.right and "rounding" in kinds(diagnosis)
        rounded = reference_byte(total, "tutorial", truncate=False)
        diagnosis = convkit.diagnose_answer(IMAGE, box, x, y, rounded, mapping="tutorial")
        assert not diagnosis.right and "rounding" in kinds(diagnosis)
        assert diagnosis.truth == reference_byte(total, "tutorial")


def test_rounding_half_up_where_the_mapping_rounds_half_to_even():
    """A binomial blur's sums end in .5: rounding them up, as at school, is named rounding."""
    binomial = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
    sums = scipy_filter(IMAGE, binomial, "replicate")
    halves = np.argwhere((sums - np.floor(sums) == 0.5) & (np.floor(sums) % 2 == 0))
    assert len(halves) >= 1
    y, x = (int(v) for v in halves[0])
    half_up = float(np.floor(sums[y, x] + 0.5))
    assert half_up != reference_byte(float(sums[y, x]), "clip")
    diagnosis = convkit.diagnose_answer(IMAGE, binomial, x, y, half_up)
    assert "rounding" in kinds(diagnosis)
    assert any("half up" in m.words for m in diagnosis.mistakes)


@pytest.mark.parametrize("mapping", ["clip", "tutorial", "divide"])
def test_no_clipping_is_named_above_255_and_below_0(mapping):
    """A sharpen kernel's sums past 0..255, mapped but not clipped, are named no_clipping."""
    sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
    sums = scipy_filter(IMAGE, sharpen, "replicate")
    divisor, offset = (0.5, 10.0) if mapping == "divide" else (1.0, 0.0)
    for y, x in (np.argwhere(sums > 600)[0], np.argwhere(sums < -100)[0]):
        total = float(sums[y, x])
        unclipped = reference_byte(total, mapping, divisor=divisor, offset=offset, clip=False)
        diagnosis = convkit.diagnose_answer(IMAGE, sharpen, int(x), int(y), unclipped,
                                            mapping=mapping, divisor=divisor, offset=offset)
        assert not 0 <= unclipped <= 255
        assert not diagnosis.right and "no_clipping" in kinds(diagnosis)


@pytest.mark.parametrize("x, y", PIXELS[:-1])
@pytest.mark.parametrize("border", BORDERS)
def test_another_border_near_an_edge_is_named_with_its_mode(x, y, border):
    """Each other mode's byte (scipy's own mode) is named as that border, at edges and corners."""
    value = 40.0 if border == "constant" else 0.0
    truth = reference_byte(reference_sum(IMAGE, ASYMMETRIC, x, y, border, value=value), "clip")
    for other in BORDERS:
        if other == border:
            continue
        fill = value if border == "constant" else 0.0
        wrong = reference_byte(reference_sum(IMAGE, ASYMMETRIC, x, y, other, value=fill), "clip")
        diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, x, y, wrong, border, value=value)
        assert diagnosis.truth == truth
        if wrong != truth:
            named = [m.words for m in diagnosis.mistakes if m.kind == "border"]
            assert any(f"the {other} border" in words for words in named), named


def test_inside_the_image_no_border_is_suggested():
    """Where the kernel lies wholly inside, the border cannot explain anything."""
    values = convkit.mistaken_values(IMAGE, ASYMMETRIC, 5, 4)
    assert "border" not in {m.kind for m in values}


@pytest.mark.parametrize("x, y", [(0, 0), (5, 4), (10, 8)])
@pytest.mark.parametrize("asked", ["sum", "byte"])
def test_one_product_slipped_names_its_cell(x, y, asked):
    """A product left out, doubled or negated (region from numpy.pad) names its cell."""
    region = numpy_pad(IMAGE, 1, 1, "reflect")[y:y + 3, x:x + 3]
    products = region * ASYMMETRIC
    total = float(products.sum())
    as_asked = (lambda s: s) if asked == "sum" else (lambda s: reference_byte(s, "clip"))
    truth = as_asked(total)
    for (r, c), product in np.ndenumerate(products):
        for slipped in (total - product, total + product, total - 2 * product):
            wrong = as_asked(slipped)
            if wrong == truth:
                continue
            diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, x, y, wrong, "reflect",
                                                asked=asked)
            cell = f"the weight at x={c}, y={r} times pixel x={x + c - 1}, y={y + r - 1}"
            assert any(m.kind == "product_slip" and cell in m.words
                       for m in diagnosis.mistakes), (cell, diagnosis.mistakes)


def test_sum_answered_for_a_byte_and_byte_for_a_sum():
    """A sum of fractional weights given as the byte, and the byte given as the sum."""
    box = np.full((3, 3), 1 / 9)
    sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
    total = reference_sum(IMAGE, sharpen, 5, 4)
    assert not 0 <= total <= 255  # so the sum is no byte
    diagnosis = convkit.diagnose_answer(IMAGE, sharpen, 5, 4, total)
    assert "sum_for_byte" in kinds(diagnosis)
    # Written to one decimal, as a person would.
    total = reference_sum(IMAGE, box, 3, 3)
    byte = reference_byte(total, "clip")
    if round(total, 1) != byte:
        assert "sum_for_byte" in kinds(convkit.diagnose_answer(IMAGE, box, 3, 3,
                                                               round(total, 1)))
    divided = reference_byte(reference_sum(IMAGE, sharpen, 5, 4), "divide", divisor=4,
                             offset=128)
    diagnosis = convkit.diagnose_answer(IMAGE, sharpen, 5, 4, divided, mapping="divide",
                                        divisor=4, offset=128, asked="sum")
    assert "byte_for_sum" in kinds(diagnosis)


def test_off_by_one_is_close_and_far_is_unexplained():
    """The byte plus or minus 1 is close; a number no mistake gives is wrong with no mistake."""
    truth = reference_byte(reference_sum(IMAGE, ASYMMETRIC, 5, 4), "clip")
    for wrong in (truth - 1, truth + 1):
        diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, 5, 4, wrong)
        assert not diagnosis.right and "close" in kinds(diagnosis)
    values = {m.value for m in convkit.mistaken_values(IMAGE, ASYMMETRIC, 5, 4)}
    unexplained = next(v for v in range(-600, 600, 7) if v not in values and abs(v - truth) > 1)
    diagnosis = convkit.diagnose_answer(IMAGE, ASYMMETRIC, 5, 4, unexplained)
    assert not diagnosis.right and diagnosis.mistakes == ()


def test_minmax_uses_the_stretch_it_is_given():
    """The stretch mapping's byte, with the whole response's range from scipy."""
    sums = scipy_filter(IMAGE, ASYMMETRIC, "replicate")
    stretch = (float(sums.min()), float(sums.max()))
    byte = reference_byte(float(sums[4, 5]), "minmax", stretch=stretch)
    assert convkit.diagnose_answer(IMAGE, ASYMMETRIC, 5, 4, byte, mapping="minmax",
                                   stretch=stretch).right


def test_colour_channel_is_diagnosed_alone():
    """A colour image's channel 1 is held against scipy on that channel."""
    colour = np.stack([IMAGE, IMAGE[::-1, ::-1], IMAGE * 0.5],
                      axis=-1)
    total = reference_sum(colour[..., 1], ASYMMETRIC, 0, 8, "constant", value=9.0)
    byte = reference_byte(total, "clip")
    assert convkit.diagnose_answer(colour, ASYMMETRIC, 0, 8, byte, "constant", value=9.0,
                                   channel=1).right


@given(seed=st.integers(0, 2**32 - 1), border=st.sampled_from(BORDERS), flip=st.booleans(),
       mapping=st.sampled_from(["clip", "tutorial", "abs", "divide"]),
       corner=st.sampled_from(["corner", "edge", "anywhere"]))
@HYPO
def test_every_reference_mistake_is_named_anywhere(seed, border, flip, mapping, corner):
    """Random images, kernels and pixels: scipy's right byte is right, each mistake named."""
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(1, 9, size=2))
    image = rng.integers(0, 256, size=(height, width)).astype(np.float64)
    kernel = rng.integers(-3, 4, size=(3, 5)).astype(np.float64)
    x, y = {"corner": (width - 1, 0), "edge": (0, int(rng.integers(height))),
            "anywhere": (int(rng.integers(width)), int(rng.integers(height)))}[corner]
    knobs = {"divisor": 3.0, "offset": 128.0} if mapping == "divide" else {}
    value = 17.0

    def byte(kernel_, border_=border, flip_=flip, value_=value):
        return reference_byte(reference_sum(image, kernel_, x, y, border_, flip_, value_),
                              mapping, **knobs)

    truth = byte(kernel)
    diagnose = lambda answer: convkit.diagnose_answer(  # noqa: E731
        image, kernel, x, y, answer, border, flip=flip, value=value, mapping=mapping, **knobs)
    assert diagnose(truth).right
    flipped = byte(kernel, flip_=not flip)
    assume(flipped != truth)
    assert "flip" in kinds(diagnose(flipped))
    # A 3 x 5 kernel transposed is 5 x 3: still odd, still a kernel.
    transposed = byte(kernel.T)
    if transposed != truth:
        assert "transposed" in kinds(diagnose(transposed))


@pytest.mark.parametrize("call, message", [
    (dict(answer=float("nan")), "answer must be a finite number"),
    (dict(answer=True), "answer must be a number"),
    (dict(answer="12"), "answer must be a number"),
    (dict(asked="product"), "asked must be one of"),
    (dict(mapping="gamma"), "mapping must be one of"),
    (dict(mapping="minmax"), "stretch must be given"),
    (dict(mapping="minmax", stretch=(0, "x")), "stretch must be two numbers"),
    (dict(channel=0), "channel must be None for a gray image"),
    (dict(x=11), "x"),
    (dict(border="mirror"), "border must be one of"),
    (dict(divisor=0), "divisor must not be 0"),
])
def test_bad_input_raises_value_error(call, message):
    """Each bad argument is refused with a message naming it."""
    arguments = dict(image=IMAGE, kernel=ASYMMETRIC, x=3, y=3, answer=12) | call
    with pytest.raises(ValueError, match=message):
        convkit.diagnose_answer(**arguments)


def test_colour_image_needs_a_channel():
    """A colour image without a channel, or with one past its last, is refused."""
    colour = np.zeros((4, 4, 3))
    with pytest.raises(ValueError, match="channel must be given"):
        convkit.diagnose_answer(colour, ASYMMETRIC, 1, 1, 0)
    with pytest.raises(ValueError, match="channel must be a whole number in 0..2"):
        convkit.mistaken_values(colour, ASYMMETRIC, 1, 1, channel=3)
