"""What a browser's GPU needs to filter live video exactly as `convolve` and `to_uint8` do.

The live view runs the kernel in a WebGL2 fragment shader on every camera frame; the server
only says what to compute. `live_plan` turns the shared settings into that description: the
weights as applied (rotated for a true convolution, as `convolve` does), the two 1-D factors
when the kernel is separable (two passes instead of one), the border and its fill, and the
mapping with its divisor and offset. `GRAY_WEIGHTS_Q15` is OpenCV's RGB-to-gray arithmetic in
whole numbers, so that the shader's gray is `to_gray`'s to the byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.convolve import prepare
from ..core.kernel_files import MAX_KERNEL_SIDE
from ..core.padding import Border, document_border
from ..core.separable import separate
from .display import Mapping, check_divisor_offset, check_mapping

#: OpenCV's RGB-to-gray weights as fixed-point numbers over 2**15: gray is
#: ``(9798 R + 19235 G + 3735 B + 16384) >> 15``, which equals ``cv2.cvtColor(...,
#: COLOR_RGB2GRAY)`` (and so `convkit.to_gray`) for every one of the 2**24 colours.
GRAY_WEIGHTS_Q15 = (9798, 19235, 3735)
GRAY_SHIFT = 15


@dataclass(frozen=True)
class LivePlan:
    """The computation the browser repeats on every frame, as plain numbers.

    Attributes
    ----------
    weights : numpy.ndarray
        float64 weights as applied (rotated 180 degrees when the settings flip them).
    column, row : numpy.ndarray or None
        1-D factors with ``outer(column, row) == weights`` when the kernel is separable (and
        not a single row or column): the browser then runs a row pass and a column pass.
        None otherwise.
    border : str
        One of BORDER_MODES.
    value : float
        The constant border's fill.
    mapping : str
        One of MAPPINGS.
    divisor, offset : float
        The ``divide`` mapping's.
    """

    weights: np.ndarray
    column: np.ndarray | None
    row: np.ndarray | None
    border: Border
    value: float
    mapping: Mapping
    divisor: float
    offset: float

    def to_json(self) -> dict:
        """The plan as JSON-ready values (lists of floats, names as they are).

        Returns
        -------
        dict
            ``shape`` [height, width], ``weights`` (row by row), ``column`` and ``row`` (or
            None), ``border``, ``value``, ``mapping``, ``divisor``, ``offset``, and the gray
            conversion's ``gray`` weights and ``grayShift``: what the browser's shader reads.

        Examples
        --------
        >>> live_plan([[1, 2, 3]], "wrap", flip=True).to_json()["weights"]
        [3.0, 2.0, 1.0]
        """
        factors = self.column is not None
        return {
            "shape": list(self.weights.shape),
            "weights": [float(w) for w in self.weights.ravel()],
            "column": [float(w) for w in self.column] if factors else None,
            "row": [float(w) for w in self.row] if factors else None,
            "border": self.border, "value": self.value, "mapping": self.mapping,
            "divisor": self.divisor, "offset": self.offset,
            "gray": list(GRAY_WEIGHTS_Q15), "grayShift": GRAY_SHIFT,
        }


@document_border
def live_plan(kernel, border: Border = "replicate", *, flip: bool = False, value: float = 0.0,
              mapping: Mapping = "clip", divisor: float = 1.0, offset: float = 0.0) -> LivePlan:
    """Describe, for a GPU, the filter ``to_uint8(convolve(frame, kernel, ...), mapping)``.

    Parameters
    ----------
    kernel : Kernel or array_like
        2-D weights with odd sides of at most MAX_KERNEL_SIDE (31).
    %(border)s
        Default "replicate".
    flip : bool, optional
        True rotates the weights by 180 degrees (true convolution), as `convolve` does.
    %(value)s
    %(mapping)s
        Default "clip".
    %(divisor_offset)s

    Returns
    -------
    LivePlan
        The weights as applied, the separable factors (or None), and the settings checked.

    Raises
    ------
    ValueError
        For a kernel larger than 31 x 31 and for anything `convolve` or `to_uint8` refuses.

    Examples
    --------
    A 5 x 5 box splits into a column and a row: two passes of 5 taps instead of 25.

    >>> plan = live_plan(np.ones((5, 5)), flip=True)
    >>> plan.column.tolist(), plan.row.tolist()
    ([1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0])
    >>> live_plan([[0, 1, 0], [1, -4, 1], [0, 1, 0]]).column is None   # the Laplacian: one
    True
    """
    weights, value = prepare(np.zeros((1, 1), np.uint8), kernel, border, flip, value)
    if max(weights.shape) > MAX_KERNEL_SIDE:
        raise ValueError(f"the live view takes kernels up to {MAX_KERNEL_SIDE} x "
                         f"{MAX_KERNEL_SIDE}; got {weights.shape[0]} x {weights.shape[1]}")
    check_mapping(mapping)
    divisor, offset = check_divisor_offset(divisor, offset)
    # A row or a column is one pass already; any other separable kernel reads height + width
    # pixels in two passes instead of height * width in one (python -m bench.live_video).
    factors = separate(weights) if min(weights.shape) > 1 else None
    column, row = factors if factors is not None else (None, None)
    return LivePlan(np.array(weights, dtype=np.float64), column, row, border, value, mapping,
                    divisor, offset)
