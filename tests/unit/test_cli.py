"""Tests for the command line interface, run as `python -m convkit` in a subprocess."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL_SIX = ["small_blur", "large_blur", "sharpen", "laplacian", "sobel_x", "sobel_y"]
H, W = 40, 50


def run_cli(*args, timeout=120):
    """Run the CLI from the repository root and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "convkit", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def gray_png(tmp_path):
    """A small 40x50 grey PNG on disk."""
    a = np.random.default_rng(0).integers(0, 256, (H, W)).astype(np.uint8)
    path = tmp_path / "input.png"
    Image.fromarray(a, "L").save(path)
    return path


def assert_clean_usage_error(result):
    """Exit code 2, something on stderr, and no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_default_kernels_write_a_comparison_sheet(gray_png, tmp_path):
    """With no --kernel the six tutorial kernels go into one tall, 4-column PNG sheet."""
    out = tmp_path / "sheet.png"
    result = run_cli("--image", gray_png, "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.exists()
    with Image.open(out) as sheet:
        sheet.load()
        width, height = sheet.size
    assert height >= 6 * H
    assert width >= 4 * W
    for name in TUTORIAL_SIX:
        lines = [line for line in result.stdout.splitlines() if name in line]
        assert lines, f"{name} not reported on stdout"
        assert any(ch.isdigit() for ch in " ".join(lines)), f"no difference printed for {name}"


def test_single_kernel_with_border_and_flip(gray_png, tmp_path):
    """--kernel, --border and --flip are accepted; only the chosen kernel is reported."""
    out = tmp_path / "one.png"
    result = run_cli(
        "--image", gray_png, "--kernel", "emboss", "--border", "wrap", "--flip", "--out", out
    )
    assert result.returncode == 0, result.stderr
    with Image.open(io.BytesIO(out.read_bytes())) as sheet:
        width, height = sheet.size
    assert height >= H and width >= 4 * W
    assert "emboss" in result.stdout
    assert "large_blur" not in result.stdout


def test_missing_image_argument(tmp_path):
    """Missing --image exits with code 2 and a usage message mentioning --image, no traceback."""
    result = run_cli("--out", tmp_path / "x.png")
    assert_clean_usage_error(result)
    assert "image" in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unreadable_image_file(tmp_path):
    """A text file named .png exits with code 2, a message and no traceback; no sheet is written."""
    bogus = tmp_path / "notes.png"
    bogus.write_text("this is not a picture\n")
    out = tmp_path / "x.png"
    result = run_cli("--image", bogus, "--out", out)
    assert_clean_usage_error(result)
    assert not out.exists()


def test_missing_image_file(tmp_path):
    """A path that does not exist exits with code 2 and no traceback."""
    result = run_cli("--image", tmp_path / "nope.png", "--out", tmp_path / "x.png")
    assert_clean_usage_error(result)


def test_unknown_kernel(gray_png, tmp_path):
    """An unknown kernel name exits with code 2, names the kernel and shows no traceback."""
    result = run_cli("--image", gray_png, "--kernel", "no_such_kernel", "--out", tmp_path / "x.png")
    assert_clean_usage_error(result)
    assert "no_such_kernel" in result.stderr


def test_unknown_border(gray_png, tmp_path):
    """An unknown border mode exits with code 2 and no traceback."""
    result = run_cli("--image", gray_png, "--border", "mirror_ball", "--out", tmp_path / "x.png")
    assert_clean_usage_error(result)
