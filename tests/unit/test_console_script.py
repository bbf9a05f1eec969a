"""`pip install .` gives a `convkit` command, the same as `python -m convkit`.

Installed for real, from a copy of the package's files (so the build leaves nothing in the
work tree), into a temporary --target; the command then runs from outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The --target directory of `pip install --no-deps .` (bin/convkit and the package)."""
    work = tmp_path_factory.mktemp("console-script")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "convkit", source / "convkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = work / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input",
         "--disable-pip-version-check", "--quiet", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300, cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def run(command: list[str], target: Path, cwd: Path) -> subprocess.CompletedProcess:
    # Only the installed copy is importable: not the repository, not an editable install.
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def test_pip_install_gives_a_convkit_command(installed: Path) -> None:
    command = installed / "bin" / "convkit"
    assert command.is_file() and os.access(command, os.X_OK)
    done = run([str(command), "--help"], installed, installed.parent)
    assert done.returncode == 0, done.stderr
    assert "--image" in done.stdout and "--kernel" in done.stdout
    same = run([sys.executable, "-m", "convkit", "--help"], installed, installed.parent)
    assert done.stdout == same.stdout


def test_the_command_runs_the_installed_package(installed: Path) -> None:
    where = run([sys.executable, "-c", "import convkit; print(convkit.__file__)"], installed,
                installed.parent)
    assert Path(where.stdout.strip()).is_relative_to(installed)


def test_the_command_reports_errors_like_the_module(installed: Path) -> None:
    command = [str(installed / "bin" / "convkit"), "--image", "no-such-file.png"]
    done = run(command, installed, installed.parent)
    same = run([sys.executable, "-m", "convkit", "--image", "no-such-file.png"], installed,
               installed.parent)
    assert done.returncode == same.returncode == 2
    assert "cannot read no-such-file.png" in done.stderr and done.stderr == same.stderr
