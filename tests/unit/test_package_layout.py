"""convkit's layout: public names outside it, a cheap import, no module importing its parent."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import convkit

ROOT = Path(__file__).resolve().parents[2]
SUBPACKAGES = ("core", "explain", "lessons")
# Code outside convkit that must use only its public names.
CALLERS = sorted([*(ROOT / "pages").rglob("*.py"), *(ROOT / "bench").rglob("*.py"),
                  *(ROOT / "harness").rglob("*.py"), ROOT / "app.py"])


def public(package: str) -> set[str]:
    """The names a package path offers: its __all__, and the subpackages for the top level."""
    if package == "convkit":
        return {*convkit.__all__, *SUBPACKAGES}
    return set(getattr(convkit, package.removeprefix("convkit.")).__all__)


def private_uses(tree: ast.AST) -> list[str]:
    """Convkit paths in `tree` outside an __all__ (``convkit.x.y``, ``from convkit.x import y``).

    Examples
    --------
    >>> private_uses(ast.parse("import convkit\\nconvkit.lessons.effective_size(3)"))
    []
    >>> private_uses(ast.parse("from convkit import lessons\\nlessons.learning.effective_size"))
    ['convkit.lessons.learning']
    """
    aliases = {"convkit": "convkit"}  # a local name -> the convkit package it stands for
    found = []

    def check(package: str, name: str) -> None:
        if name not in public(package):
            found.append(f"{package}.{name}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "convkit":
            parts = node.module.split(".")
            if len(parts) > 2 or (len(parts) == 2 and parts[1] not in SUBPACKAGES):
                found.append(node.module)
                continue
            for alias in node.names:
                check(node.module, alias.name)
                if node.module == "convkit" and alias.name in SUBPACKAGES:
                    aliases[alias.asname or alias.name] = f"convkit.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if (parts[0] == "convkit" and len(parts) > 1
                        and (len(parts) > 2 or parts[1] not in SUBPACKAGES)):
                    found.append(alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            package = aliases.get(node.value.id)
            if package is not None:
                check(package, node.attr)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and isinstance(node.value.value, ast.Name)
              and aliases.get(node.value.value.id) == "convkit"
              and node.value.attr in SUBPACKAGES):
            check(f"convkit.{node.value.attr}", node.attr)
    return found


@pytest.mark.parametrize("path", CALLERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_callers_use_only_public_names(path: Path) -> None:
    """Pages, their ui modules, bench and harness reach convkit only through an __all__."""
    assert private_uses(ast.parse(path.read_text(), str(path))) == []


def test_the_checker_sees_private_paths() -> None:
    """The checker itself: each way of reaching past an __all__ is reported."""
    code = ("import convkit\nimport convkit.lessons.layers\nfrom convkit import drawing\n"
            "from convkit.explain.drawing import SELECTED\nfrom convkit.lessons import nothing\n"
            "from convkit import lessons as ls\nls.layers\nconvkit.restoration.NEAR_ZERO\n"
            "convkit.core.PARAMETER_DOCS\nfrom convkit.queueing import QueueFull\n")
    assert sorted(private_uses(ast.parse(code))) == [
        "convkit.drawing", "convkit.explain.drawing", "convkit.lessons.layers",
        "convkit.lessons.layers", "convkit.lessons.nothing", "convkit.queueing",
        "convkit.restoration"]


@pytest.mark.parametrize("package", ["convkit", *(f"convkit.{name}" for name in SUBPACKAGES)])
def test_every_all_is_sorted_and_resolves(package: str) -> None:
    """Each package's __all__ is sorted, without repeats, and every name in it exists."""
    module = convkit if package == "convkit" else getattr(convkit, package.split(".")[1])
    assert module.__all__ == sorted(set(module.__all__))
    assert [name for name in module.__all__ if not hasattr(module, name)] == []


def test_top_level_names_are_the_subpackages_objects() -> None:
    """A top-level name is the very object its subpackage exports (one definition, two doors)."""
    for name in convkit.__all__:
        homes = [sub for sub in SUBPACKAGES if name in getattr(convkit, sub).__all__]
        assert len(homes) == 1, f"{name} is exported by {homes}"
        assert getattr(convkit, name) is getattr(getattr(convkit, homes[0]), name)


FRESH_IMPORT = """
import json, sys
import convkit
before = sorted(sys.modules)
names = {"train_kernel": convkit.lessons.train_kernel.__module__,
         "magnify": convkit.explain.magnify.__module__, "pad": convkit.core.pad.__module__}
print(json.dumps({"before": before, "names": names, "dir": "lessons" in dir(convkit),
                  "after": "convkit.lessons" in sys.modules}))
"""


@pytest.fixture(scope="module")
def fresh_import() -> dict:
    """What `import convkit` loads in a fresh interpreter, then the lazy subpackages' answers."""
    result = subprocess.run([sys.executable, "-c", FRESH_IMPORT], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("heavy", ["skimage.restoration", "skimage.metrics", "streamlit",
                                   "convkit.lessons"])
def test_import_convkit_stays_light(fresh_import: dict, heavy: str) -> None:
    """`import convkit` loads no scikit-image restoration or metrics, no Streamlit, no lesson."""
    loaded = [m for m in fresh_import["before"] if m == heavy or m.startswith(heavy + ".")]
    assert loaded == []


def test_subpackages_load_on_first_use(fresh_import: dict) -> None:
    """convkit.lessons (PEP 562) and the others answer by attribute in a fresh interpreter."""
    assert fresh_import["names"] == {"train_kernel": "convkit.lessons.descent",
                                     "magnify": "convkit.explain.drawing",
                                     "pad": "convkit.core.padding"}
    assert fresh_import["dir"] and fresh_import["after"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        convkit.nothing  # noqa: B018


def _target(package: list[str], node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names, seen from a module of `package`.

    Examples
    --------
    >>> [_target(["convkit", "lessons"], ast.parse(code).body[0]) for code in
    ...  ("from .. import pad", "from . import layers", "from ..core.padding import pad")]
    ['convkit', 'convkit.lessons', 'convkit.core.padding']
    """
    base = package[: len(package) - node.level + 1] if node.level else []
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path) -> list[str]:
    """The absolute module each import statement of convkit file `path` names."""
    package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]  # __init__: the package
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(_target(package, node))
    return found


CONVKIT_FILES = sorted((ROOT / "convkit").rglob("*.py"))


@pytest.mark.parametrize("path", CONVKIT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_its_own_parent_package(path: Path) -> None:
    """Inside convkit, siblings are imported by module; never ``convkit`` or one's own package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    own = parts[:-1] if parts[-1] != "__init__" else parts[:-2]
    parents = {".".join(own[:n]) for n in range(1, len(own) + 1)}
    if parts[-1] != "__init__":
        parents.add(".".join(parts[:-1]))
    assert [name for name in _imports(path) if name in parents] == []


LAYERS = {"core": set(), "explain": {"core"}, "lessons": {"core", "explain"}}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_domains_depend_one_way(layer: str) -> None:
    """core needs nothing else of convkit, explain only core, lessons core and explain."""
    for path in (ROOT / "convkit" / layer).glob("*.py"):
        used = {name.split(".")[1] for name in _imports(path)
                if name.startswith("convkit.") and name.count(".") >= 1}
        assert used - {layer} <= LAYERS[layer], f"{path.name} imports {used - {layer}}"
