"""The core package must not pull in Streamlit (checked in a fresh interpreter)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import importlib, pkgutil, sys
import convkit
for info in pkgutil.walk_packages(convkit.__path__, "convkit."):
    if info.name.rsplit(".", 1)[-1] != "__main__":
        importlib.import_module(info.name)
loaded = sorted(
    m for m in sys.modules if m == "streamlit" or m.startswith(("streamlit.", "streamlit_"))
)
print("LOADED:" + ",".join(loaded))
"""


def test_importing_convkit_does_not_import_streamlit():
    """Importing convkit and all its submodules leaves streamlit out of sys.modules."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED:" in result.stdout
    loaded = result.stdout.split("LOADED:", 1)[1].strip()
    assert loaded == "", f"convkit imported: {loaded}"
