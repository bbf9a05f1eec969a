"""Neither the core package nor the server package pulls in Streamlit (fresh interpreters)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import importlib, pkgutil, sys
import {package}
for info in pkgutil.walk_packages({package}.__path__, "{package}."):
    if info.name.rsplit(".", 1)[-1] != "__main__":
        importlib.import_module(info.name)
loaded = sorted(
    m for m in sys.modules if m == "streamlit" or m.startswith(("streamlit.", "streamlit_"))
)
print("LOADED:" + ",".join(loaded))
"""


def _streamlit_loaded_by(package: str) -> str:
    """Streamlit modules in sys.modules after importing `package` and all its submodules."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(package=package)], cwd=ROOT, capture_output=True,
        text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED:" in result.stdout
    return result.stdout.split("LOADED:", 1)[1].strip()


def test_importing_convkit_does_not_import_streamlit():
    """Importing convkit and all its submodules leaves streamlit out of sys.modules."""
    loaded = _streamlit_loaded_by("convkit")
    assert loaded == "", f"convkit imported: {loaded}"


def test_importing_server_does_not_import_streamlit():
    """Importing server and all its submodules (the guards import Streamlit only when they
    are installed) leaves streamlit out: a worker process can start without it."""
    loaded = _streamlit_loaded_by("server")
    assert loaded == "", f"server imported: {loaded}"
