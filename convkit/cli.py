"""``python -m convkit``: the tutorial's script, with every kernel checked against OpenCV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from .core.convolve import convolve, convolve_loop
from .core.images import ImageLoadError, fit_to_pixels, load_image, to_gray
from .core.kernels import BANK, TUTORIAL_KERNELS
from .core.padding import BORDER_MODES
from .explain.compare import compare_with_opencv, opencv_reference
from .explain.display import MAPPINGS, to_uint8

COLUMNS = ("original", "convolve_loop", "convolve", "cv2.filter2D")
LABEL_HEIGHT = 22


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2, no usage dump
        self.exit(2, f"convkit: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line's options."""
    parser = _Parser(prog="python -m convkit", description=__doc__)
    parser.add_argument("--image", help="image file to filter (converted to gray)")
    parser.add_argument("--kernel", nargs="+", choices=list(BANK), metavar="NAME",
                        default=list(TUTORIAL_KERNELS),
                        help="kernels from the bank (default: the tutorial's six)")
    parser.add_argument("--border", choices=BORDER_MODES, default="replicate",
                        help="padding mode (default: replicate, as the tutorial)")
    parser.add_argument("--flip", action="store_true", help="true convolution, not correlation")
    parser.add_argument("--mapping", choices=list(MAPPINGS), default="tutorial",
                        help="how raw sums become bytes (default: the tutorial's)")
    parser.add_argument("--max-side", type=int, default=320,
                        help="downscale so the longer side is at most this (the loop is slow)")
    parser.add_argument("--out", default="convkit-sheet.png", help="comparison sheet to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    if not args.image:
        print("convkit: --image is required: the image file to filter", file=sys.stderr)
        return 2
    try:
        gray = to_gray(load_image(Path(args.image).read_bytes()))
    except (OSError, ImageLoadError) as error:
        print(f"convkit: cannot read {args.image}: {error}", file=sys.stderr)
        return 2
    if args.max_side < 1:
        print("convkit: --max-side must be at least 1", file=sys.stderr)
        return 2
    gray = fit_to_pixels(gray, args.max_side)

    rows = []
    for name in args.kernel:
        kernel = BANK[name]
        loop_raw = convolve_loop(gray, kernel, args.border, flip=args.flip)
        fast = to_uint8(convolve(gray, kernel, args.border, flip=args.flip), args.mapping)
        reference = opencv_reference(gray, kernel)
        agreement = compare_with_opencv(gray, kernel, loop_raw, args.border, args.mapping,
                                        flip=args.flip)
        print(_report(name, agreement))
        rows.append((name, [gray, to_uint8(loop_raw, args.mapping), fast, reference]))
    sheet = comparison_sheet(rows)
    if not cv2.imwrite(args.out, sheet):
        print(f"convkit: cannot write {args.out}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({sheet.shape[1]} x {sheet.shape[0]})")
    return 0


def _report(name: str, agreement) -> str:
    head = (f"{name}: max |loop - filter2D| = {agreement.max_abs_diff}, "
            f"{agreement.percent_differ:.2f}% of pixels differ")
    if agreement.identical:
        return head + " (identical)"
    causes = "; ".join(f"{c.name} ({c.pixels} px): {c.explanation}" for c in agreement.causes)
    return f"{head}\n    why: {causes}"


def comparison_sheet(rows: list[tuple[str, list[np.ndarray]]]) -> np.ndarray:
    """Lay out one labelled row of gray images per kernel under a header of column names."""
    height, width = rows[0][1][0].shape
    gap = 4
    sheet_width = len(COLUMNS) * (width + gap) + gap
    header = _label_strip(sheet_width, [(gap + i * (width + gap), c) for i, c in
                                        enumerate(COLUMNS)])
    parts = [header]
    for name, images in rows:
        parts.append(_label_strip(sheet_width, [(gap, name)]))
        row = np.full((height, sheet_width), 255, dtype=np.uint8)
        for i, image in enumerate(images):
            left = gap + i * (width + gap)
            row[:, left : left + width] = image
        parts.append(row)
    return np.vstack(parts)


def _label_strip(width: int, labels: list[tuple[int, str]]) -> np.ndarray:
    strip = np.full((LABEL_HEIGHT, width), 255, dtype=np.uint8)
    for left, text in labels:
        cv2.putText(strip, text, (left, LABEL_HEIGHT - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1,
                    cv2.LINE_AA)
    return strip
