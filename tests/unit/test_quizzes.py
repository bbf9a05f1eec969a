"""convkit.lessons.quizzes: every choice of a "which picture" question is the output it claims,
recomputed with scipy.ndimage; the predicted sizes and sums against brute-force counts."""

import re

import numpy as np
import pytest
import scipy.signal
from skimage import data

import convkit
from convkit.lessons import quizzes
from tests.unit.references import scipy_filter

#: The criterion the questions promise, written out here: this many bytes differ by 16 levels.
VISIBLE = 16


def to_bytes(raw, mapping):
    """An independent reading of the mappings the questions use."""
    if mapping == "abs":
        raw = np.abs(raw)
    elif mapping == "minmax":
        low, high = float(raw.min()), float(raw.max())
        raw = (raw - low) * (255.0 / (high - low))
    return np.clip(np.rint(raw), 0, 255).astype(np.uint8)


def assert_same_picture(actual, expected):
    """Equal up to the float32 rounding of a rare sum at .5: at most one level, rarely."""
    assert actual.shape == expected.shape
    gap = np.abs(actual.astype(int) - expected.astype(int))
    assert gap.max() <= 1 and np.count_nonzero(gap) <= max(2, gap.size // 1000)


def differ_visibly(first, second):
    needed = max(16, int(np.ceil(0.01 * first.size)))
    return np.count_nonzero(np.abs(first.astype(int) - second.astype(int)) >= VISIBLE) >= needed


def check_choices_distinct(question):
    pictures = [choice.picture for choice in question.choices]
    for i, first in enumerate(pictures):
        for second in pictures[i + 1:]:
            assert differ_visibly(first, second)


IMAGE = data.camera()[::4, ::4]  # 128 x 128


def expected_picture(image, weights, choice, *, border, flip, mapping):
    """What the choice's named confusion gives, recomputed with scipy.ndimage."""
    kind, detail = choice.confusion, choice.detail
    if kind == "flipped":
        flip = not flip
    elif kind == "neighbour":
        weights = convkit.BANK[detail].weights
    elif kind == "transposed":
        weights = np.asarray(weights).T
    elif kind == "border":
        border = detail
    elif kind == "mapping":
        mapping = detail
    return to_bytes(scipy_filter(image, weights, border, flip), mapping)


@pytest.mark.parametrize(("name", "border", "flip", "mapping"), [
    ("sobel_x", "replicate", False, "clip"), ("emboss", "reflect_101", True, "abs"),
    ("sharpen", "constant", False, "clip"), ("horizontal_blur", "wrap", False, "minmax"),
    ("small_blur", "constant", False, "clip")])
def test_each_choice_is_its_named_confusion(name, border, flip, mapping):
    """The truth and every distractor are the outputs of what they say, recomputed."""
    weights = convkit.BANK[name].weights
    question = quizzes.kernel_question(IMAGE, weights, name=name, seed=7, border=border,
                                       flip=flip, mapping=mapping)
    assert 3 <= len(question.choices) <= 4
    assert [choice.letter for choice in question.choices] == list("ABCD"[:len(question.choices)])
    assert sum(choice.correct for choice in question.choices) == 1
    assert question.choice(question.answer).correct
    for choice in question.choices:
        assert choice.explanation
        assert_same_picture(choice.picture, expected_picture(
            IMAGE, weights, choice, border=border, flip=flip, mapping=mapping))
    check_choices_distinct(question)


def test_flipped_only_when_it_changes_the_picture():
    """An asymmetric kernel's question holds its flip; a symmetric kernel's never does."""
    for seed in range(4):
        asymmetric = quizzes.kernel_question(IMAGE, convkit.BANK["sobel_y"].weights,
                                             name="sobel_y", seed=seed)
        symmetric = quizzes.kernel_question(IMAGE, convkit.BANK["sharpen"].weights,
                                            name="sharpen", seed=seed)
        assert "flipped" in [choice.confusion for choice in asymmetric.choices]
        assert "flipped" not in [choice.confusion for choice in symmetric.choices]


def test_the_seed_fixes_the_question_and_shuffles_the_letters():
    """One seed, one question; over a few seeds the truth moves between letters."""
    weights = convkit.BANK["sobel_x"].weights

    def asked(seed):
        question = quizzes.kernel_question(IMAGE, weights, name="sobel_x", seed=seed)
        return [(c.confusion, c.detail) for c in question.choices], question.answer

    assert asked(11) == asked(11)
    assert len({asked(seed)[1] for seed in range(12)}) >= 3


@pytest.mark.parametrize(("name", "border", "mapping", "corner", "colour"), [
    ("sharpen", "replicate", "clip", "top-left", False),
    ("large_blur", "constant", "clip", "bottom-right", False),
    ("emboss", "wrap", "abs", "top-right", True),
    ("log_9", "reflect", "minmax", "top-left", False)])
def test_border_question_crops_are_the_other_modes(name, border, mapping, corner, colour):
    """Each choice is the corner of the whole output (scipy) with the border it names."""
    image = data.astronaut()[::3, ::2] if colour else data.camera()[::2, ::2]
    weights = convkit.BANK[name].weights
    question = quizzes.border_question(image, weights, border, name=name, seed=3,
                                       corner=corner, mapping=mapping)
    assert sum(choice.correct for choice in question.choices) == 1
    assert len(question.choices) >= 2
    side = question.choices[0].picture.shape[0]
    assert side >= 12
    rows = slice(0, side) if corner.startswith("top") else slice(-side, None)
    cols = slice(0, side) if corner.endswith("left") else slice(-side, None)
    for choice in question.choices:
        mode = border if choice.correct else choice.detail
        assert choice.confusion in ("truth", "border")
        expected = to_bytes(scipy_filter(image, weights, mode), mapping)[rows, cols]
        assert_same_picture(choice.picture, expected)
    check_choices_distinct(question)


def test_border_question_picks_a_corner_where_modes_differ():
    """Without a corner, the question's crops come from one corner of the real outputs."""
    image = data.camera()[::2, ::2]
    weights = convkit.BANK["sharpen"].weights
    question = quizzes.border_question(image, weights, "constant", name="sharpen", seed=1)
    truth = question.choice(question.answer).picture
    side = truth.shape[0]
    whole = to_bytes(scipy_filter(image, weights, "constant"), "clip")
    corners = {"top-left": whole[:side, :side], "top-right": whole[:side, -side:],
               "bottom-left": whole[-side:, :side], "bottom-right": whole[-side:, -side:]}
    named = next(corner for corner in corners if corner in question.prompt)
    assert_same_picture(truth, corners[named])


def test_bad_input_and_unaskable_questions_say_why():
    """Bad seeds, borders and letters are refused; a 1 x 1 kernel cannot pose a border question."""
    weights = convkit.BANK["sobel_x"].weights
    with pytest.raises(ValueError, match="seed must be"):
        quizzes.kernel_question(IMAGE, weights, name="sobel_x", seed=-1)
    with pytest.raises(ValueError, match="border must be"):
        quizzes.kernel_question(IMAGE, weights, name="sobel_x", seed=1, border="mirror")
    with pytest.raises(ValueError, match="letter must be"):
        quizzes.kernel_question(IMAGE, weights, name="sobel_x", seed=1).choice("E")
    with pytest.raises(ValueError, match="differs visibly"):
        quizzes.border_question(IMAGE, np.ones((1, 1)), "replicate", name="one", seed=1)
    with pytest.raises(ValueError, match="differs visibly"):
        quizzes.kernel_question(np.full((32, 32), 90, np.uint8), convkit.BANK["identity"],
                                name="identity", seed=1)


def windows(n, k, stride, dilation, before, after):
    """Brute force: the window positions that fit in the padded axis."""
    span = dilation * (k - 1) + 1
    return sum(1 for start in range(0, n + before + after, stride)
               if start + span <= n + before + after)


@pytest.mark.parametrize(("n", "k", "stride", "dilation", "output"), [
    (7, 3, 2, 2, "valid"), (10, 3, 3, 1, "full"), (9, 5, 2, 2, "full"), (6, 3, 1, 2, "valid")])
def test_size_mistakes_are_what_they_name(n, k, stride, dilation, output):
    """Each mistake's size is the brute-force count with that part of the formula left out."""
    span = dilation * (k - 1) + 1
    pad = span - 1 if output == "full" else 0
    true = windows(n, k, stride, dilation, pad, pad)
    mistakes = {m.kind: m.value for m in quizzes.size_mistakes(n, k, stride, dilation, output)}
    assert true not in mistakes.values()
    expected = {"forgot dilation": windows(n + 2 * pad, k, stride, 1, 0, 0),
                "forgot padding": windows(n, k, stride, dilation, 0, 0),
                "forgot stride": windows(n, k, 1, dilation, pad, pad),
                "forgot the + 1": true - 1}
    for name, value in expected.items():
        assert mistakes.get(name, true) == value, name


def test_cell_mistakes_against_scipy():
    """A flipped window's sum is scipy's convolution; added inputs are the plain sum."""
    rng = np.random.default_rng(0)
    region = rng.integers(0, 10, (3, 3)).astype(float)
    weights = convkit.BANK["sobel_x"].weights
    mistakes = {m.kind: m.value for m in quizzes.cell_mistakes(region, weights)}
    assert mistakes["flipped kernel"] == pytest.approx(
        scipy.signal.convolve2d(region, weights, mode="valid")[0, 0])
    assert mistakes["added the inputs"] == pytest.approx(region.sum())
    left_out = [m for m in quizzes.cell_mistakes(region, weights)
                if m.kind == "left out one product"]
    expected = []
    for (y, x), weight in np.ndenumerate(weights):
        missing = weights.copy()
        missing[y, x] = 0
        total = scipy.signal.correlate2d(region, missing, mode="valid")[0, 0]
        if weight * region[y, x] != 0:
            expected.append((f"x={x}, y={y}", total))
    assert [(re.search(r"x=\d, y=\d", m.words).group(), m.value) for m in left_out] == [
        (where, pytest.approx(total)) for where, total in expected]
    with pytest.raises(ValueError, match="region must have"):
        quizzes.cell_mistakes(region[:2], weights)
