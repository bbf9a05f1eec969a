"""Every public callable of convkit has a numpydoc docstring with an example to run.

The examples themselves run through pytest's --doctest-modules (pyproject.toml), each a test
of its own; this file checks the docstrings' structure.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import tomllib

import pytest

import convkit

# Functions of modules documented by their own owners (convolve, engine, planner, separable,
# padding, kernels, explain, _validation) that fail here: name -> the module and what is
# missing. Strict, so a fixed one must leave the list.
OWNED_ELSEWHERE_XFAIL: dict[str, str] = {}
# Helpers the pages reached through private module paths, public (in convkit.lessons.__all__)
# since the split by domain, before their numpydoc sections were written. Strict: one that
# gains them must leave this list.
NOT_NUMPYDOC_YET: dict[str, str] = {
    "busiest_crop": "lessons",
    "centre_crop": "lessons",
    "effective_size": "lessons",
    "filled_so_far": "lessons",
    "largest_error": "lessons",
    "layer_stages": "lessons",
    "noise_image": "lessons",
    "padded_input": "lessons",
    "parse_grid": "lessons",
    "pool_length": "lessons",
    "rgb_filters": "lessons",
    "small_kernels": "lessons",
    "window_mask": "lessons",
}
XFAIL = {**OWNED_ELSEWHERE_XFAIL,
         **{name: f"{where}: no numpydoc yet" for name, where in NOT_NUMPYDOC_YET.items()}}

_HEADER = re.compile(r"^(?P<title>[A-Z][A-Za-z ]+)\n(?P<rule>-+)$", re.MULTILINE)
# "name : type", "x, y : int", "*args" or a bare "name": a parameter entry's first line.
_ENTRY = re.compile(r"^(?P<names>\*{0,2}[A-Za-z_]\w*(\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(:.*)?$")


# The package and its subpackages: every name in one of their __all__ is public.
PACKAGES = (convkit, convkit.core, convkit.explain, convkit.lessons)
EXPORTED = {name: getattr(package, name) for package in PACKAGES for name in package.__all__}


def _public_callables() -> dict[str, object]:
    """Every function in an __all__, and every public method and property of its classes."""
    found: dict[str, object] = {}
    for name, obj in EXPORTED.items():
        if inspect.isfunction(obj):
            found[name] = obj
        elif inspect.isclass(obj) and obj.__module__.startswith("convkit"):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, staticmethod | classmethod):
                    member = member.__func__
                if inspect.isfunction(member) or isinstance(member, property):
                    found[f"{name}.{attr}"] = member
    return found


PUBLIC = _public_callables()


def sections(doc: str) -> dict[str, list[str]]:
    """Split a cleaned docstring into {section title: its lines}; the text above is "Summary".

    Examples
    --------
    >>> sections("Add.\\n\\nParameters\\n----------\\nx : int\\n    A number.")["Parameters"]
    ['x : int', '    A number.']
    """
    found: dict[str, list[str]] = {}
    headers = [m for m in _HEADER.finditer(doc) if len(m["rule"]) >= len(m["title"])]
    found["Summary"] = doc[: headers[0].start() if headers else len(doc)].splitlines()
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(doc)
        found[header["title"]] = doc[header.end(): end].strip("\n").splitlines()
    return found


def documented_names(entries: list[str]) -> set[str]:
    """The parameter names an entry list gives ("x, y : int" gives both x and y).

    Examples
    --------
    >>> sorted(documented_names(["x, y : int", "    Where.", "*args", "flip : bool"]))
    ['*args', 'flip', 'x', 'y']
    """
    names: set[str] = set()
    for line in entries:
        if line and not line[0].isspace() and (match := _ENTRY.match(line)):
            names.update(part.strip() for part in match["names"].split(","))
    return names


def undescribed(entries: list[str]) -> list[str]:
    """Entries whose first line is not followed by an indented description (numpydoc's form).

    Examples
    --------
    >>> undescribed(["x : int", "    Where.", "seed : seed of the noise.", "flip : bool"])
    ['seed : seed of the noise.', 'flip : bool']
    """
    lines = [line for line in entries if line.strip()]
    followers = [*lines[1:], ""][: len(lines)]
    return [line for line, after in zip(lines, followers, strict=True)
            if not line[0].isspace() and not after[:1].isspace()]


def signature_names(function) -> list[str]:
    """The parameters a docstring must name: the signature less self/cls, *args and **kwargs."""
    skipped = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.kind not in skipped and p.name not in ("self", "cls")]


def docstring_problems(obj) -> list[str]:
    """What `obj`'s docstring lacks, in words; empty when it has everything."""
    doc = inspect.getdoc(obj.fget if isinstance(obj, property) else obj)
    if not doc:
        return ["no docstring"]
    parts = sections(doc)
    summary = [line for line in parts["Summary"] if line.strip()]
    problems = []
    if not summary or (len(parts["Summary"]) > 1 and parts["Summary"][1].strip()):
        problems.append("the summary is not one line followed by a blank line")
    if isinstance(obj, property):
        # A property reads like an attribute: a summary says what it is; no sections needed.
        return problems
    wanted = signature_names(obj)
    documented = documented_names(parts.get("Parameters", []))
    missing = [name for name in wanted if name not in documented]
    # A documented name the signature lacks is a stale entry (a renamed parameter).
    stale = sorted(name for name in documented - set(wanted) if not name.startswith("*"))
    if wanted and "Parameters" not in parts:
        problems.append("no Parameters section")
    elif missing:
        problems.append(f"Parameters does not name {missing}")
    if stale:
        problems.append(f"Parameters names {stale}, which the signature does not have")
    if lonely := undescribed(parts.get("Parameters", [])):
        problems.append(f"Parameters entries without an indented description: {lonely}")
    # As numpydoc's own validator, a function that returns nothing needs no Returns section.
    returns_nothing = inspect.signature(obj).return_annotation in (None, "None")
    if "Returns" not in parts and "Yields" not in parts and not returns_nothing:
        problems.append("no Returns (or Yields) section")
    for title in ("Returns", "Yields"):
        if title in parts and (lonely := undescribed(parts[title])):
            problems.append(f"{title} entries without an indented description: {lonely}")
    if "Examples" not in parts:
        problems.append("no Examples section")
    elif not any(line.lstrip().startswith(">>>") for line in parts["Examples"]):
        problems.append("Examples has no >>> line to run")
    return problems


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[name])]
                 if name in XFAIL else []) for name in sorted(PUBLIC)])
def test_numpydoc_sections(name: str) -> None:
    """A one-line summary, Parameters naming every argument, Returns or Yields, and Examples."""
    problems = docstring_problems(PUBLIC[name])
    assert not problems, f"{name}: " + "; ".join(problems)


PUBLIC_CLASSES = {name: obj for name, obj in EXPORTED.items() if inspect.isclass(obj)}


@pytest.mark.parametrize("name", sorted(PUBLIC_CLASSES))
def test_class_docstrings(name: str) -> None:
    """A public class's one-line summary, and Parameters naming a hand-written __init__'s."""
    # A dataclass's arguments are its fields, described where they are typed: not checked.
    cls = PUBLIC_CLASSES[name]
    parts = sections(inspect.getdoc(cls) or "")
    assert parts["Summary"] and parts["Summary"][0].strip(), f"{name} has no summary"
    assert len(parts["Summary"]) == 1 or not parts["Summary"][1].strip(), \
        f"{name}: the summary is not one line followed by a blank line"
    if "__init__" in vars(cls) and not dataclasses.is_dataclass(cls):
        documented = documented_names(parts.get("Parameters", []))
        missing = [p for p in signature_names(cls.__init__) if p not in documented]
        assert not missing, f"{name}: Parameters does not name {missing}"


# Parameters whose entry is written once (core.padding's PARAMETER_DOCS; the mapping's are
# added beside MAPPINGS in explain.display) and filled into docstrings by document_border.
SHARED_ENTRIES = {"border": "border", "value": "value", "mapping": "mapping",
                  "divisor": "divisor_offset"}
# (function, parameter) pairs whose parameter means something else: not checked.
OWN_MEANING = {("border_names_help", "border")}  # None there means every mode
# lessons.layers is taking in code moved from elsewhere: its docstrings are complete, but the
# shared entries need a @document_border line in code being moved. Strict: filling one in
# makes its test pass, and then it must leave this list.
NOT_SHARED_YET = {
    ("conv2d", "border"), ("conv2d", "value"), ("conv_layer", "border"),
    ("conv_layer", "value"), ("input_reach", "border"), ("train_kernel", "border"),
    ("window_step", "border"), ("window_step", "value"), ("padded_input", "border"),
    ("padded_input", "value"),
}
SHARED_USES = [
    pytest.param(name, parameter, marks=[pytest.mark.xfail(
        strict=True, reason="lessons.layers: own entry until document_border is applied")]
        if (name, parameter) in NOT_SHARED_YET else [])
    for name, obj in sorted(PUBLIC.items()) if not isinstance(obj, property)
    for parameter in signature_names(obj)
    if parameter in SHARED_ENTRIES and (name, parameter) not in OWN_MEANING]


@pytest.mark.parametrize(("name", "parameter"), SHARED_USES)
def test_shared_parameter_text_is_filled_in(name: str, parameter: str) -> None:
    """A border, value, mapping or divisor parameter shows the one shared entry, word for word."""
    from convkit.core import PARAMETER_DOCS

    assert PARAMETER_DOCS[SHARED_ENTRIES[parameter]] in inspect.getdoc(PUBLIC[name])


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_no_placeholder_is_left_unfilled(name: str) -> None:
    """A ``%(border)s``-style placeholder in a docstring whose function lacks the decorator."""
    obj = PUBLIC[name]
    assert "%(" not in (inspect.getdoc(obj.fget if isinstance(obj, property) else obj) or "")


def test_the_checker_finds_what_is_missing() -> None:
    """The checker itself: a docstring lacking each part is told so, a complete one passes."""

    def complete(image, x, y, *args, border="wrap", **kwargs):
        """Do it.

        Parameters
        ----------
        image : ndarray
            In.
        x, y : int
            Where.
        border : {"wrap"}
            How.

        Returns
        -------
        int
            Out.

        Examples
        --------
        >>> 1
        1
        """

    def lacking(image, y):
        """Do it
        over two lines.

        Parameters
        ----------
        image : ndarray
            In; y is mentioned here, indented, so it does not count.
        method : the old name of a parameter since renamed.

        Examples
        --------
        Text, but nothing to run.
        """

    assert docstring_problems(complete) == []
    assert docstring_problems(lacking) == [
        "the summary is not one line followed by a blank line",
        "Parameters does not name ['y']",
        "Parameters names ['method'], which the signature does not have",
        "Parameters entries without an indented description: "
        "['method : the old name of a parameter since renamed.']",
        "no Returns (or Yields) section",
        "Examples has no >>> line to run",
    ]
    assert docstring_problems(lambda: None) == ["no docstring"]


def test_every_public_function_is_checked() -> None:
    """The parametrized list covers every function named in an __all__ (nothing drops out)."""
    functions = {name for name, obj in EXPORTED.items() if inspect.isfunction(obj)}
    assert functions <= set(PUBLIC)
    assert len(functions) > 100


def test_doctests_run_through_pytest(repo_root) -> None:
    """The examples run as tests of their own: --doctest-modules over convkit, server and the
    pages' helper modules (a dropped option or path would pass vacuously)."""
    settings = tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["pytest"]
    options = settings["ini_options"]
    assert "--doctest-modules" in options["addopts"].split()
    assert {"convkit", "server", "pages/ui"} <= set(options["testpaths"])
