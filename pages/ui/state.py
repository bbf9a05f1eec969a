"""The settings every page shares: one table of fields, session state, and the URL.

Each shared setting is one row of `FIELDS` (session-state key, query parameter, type,
default, parse, format, when the URL carries it, whether the sidebar has a widget for it).
The `Settings` dataclass, the defaults, the URL reader (`parse_url`) and writer
(`url_params`) and the sidebar's shared keys all come from the rows: adding a setting is
adding a row (and, if the sidebar shows it, its widget there, keyed by the row's key).

Streamlit 1.67 can bind a widget to a query parameter (``bind="query-params"``), but it still
drops an invalid value silently: ``SessionState._seed_widget_from_url`` removes the parameter
and logs at debug level, telling neither the visitor nor the script. It also names the
parameter after the widget's key and removes a value equal to the widget's default from the
URL. The links here keep their short, stable names (``image``, ``res``, ``kernel``,
``weights`` ...), carry values no widget holds (an own kernel's weights, the picked pixel),
and say which part of a link was ignored and why; so the URL is read and written here, once
per session and after each run.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

import convkit
from pages.ui import compat
from pages.ui.render import code_span

UPLOAD = "upload"
#: The image source that is a photo from the visitor's camera (st.camera_input).
CAMERA = "camera_input"
#: The image source that is a frame frozen on the live video page (session state LIVE_FRAME).
LIVE = "live_frame"
LIVE_FRAME = "live_frame_image"
#: The sources a link cannot carry: they exist in one visitor's session only.
OWN_SOURCES = (UPLOAD, CAMERA, LIVE)
RESOLUTIONS = (128, 256, 512, 768, 1024, 1536, 2048)
DEFAULT_RESOLUTION = 1024
DEFAULT_SAMPLE = "camera"
DEFAULT_KERNEL = "sharpen"
#: Session-state key of the kernels a person saved in the kernel lab (name -> Kernel).
USER_KERNELS = "user_kernels"
#: The query parameter carrying an own kernel's weights (written with its `kernel` name).
WEIGHTS = "weights"
#: The query parameter of a class poll's join link (not a setting), and the session-state key
#: that keeps it for the poll page: the sidebar rewrites the URL before any page runs.
ROOM = "room"
LINKED_ROOM = "_linked_room"
#: The name a kernel that came with a link's weights gets when the link names none (or a
#: bank kernel's name).
LINKED_KERNEL = "from_link"
#: Longest kernel name a link may give (the rest is cut).
_MAX_LINKED_NAME = 40
#: At most this many ignored query parameters are listed, so a junk link cannot flood the page.
_MAX_URL_NOTICES = 8


def available_kernels() -> dict[str, convkit.Kernel]:
    """The bank followed by the kernels saved in this session (never shared between sessions)."""
    return {**convkit.BANK, **st.session_state.get(USER_KERNELS, {})}


def save_user_kernel(kernel: convkit.Kernel) -> None:
    """Add a kernel to this session's bank, replacing one of the same name (bank names refused)."""
    if kernel.name in convkit.BANK:
        raise ValueError(f"{kernel.name!r} is a bank kernel's name; choose another")
    kernels = dict(st.session_state.get(USER_KERNELS, {}))
    kernels[kernel.name] = kernel
    st.session_state[USER_KERNELS] = kernels


# ------------------------------------------------------------------ parsers and formatters
# A parser turns a query parameter's text into a value or raises ValueError saying, in the
# notice's words, what the parameter must be. A formatter writes text its parser reads back
# as the very same value.


def _choice(choices: tuple[str, ...], why: str | None = None) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text in choices:
            return text
        raise ValueError(why or f"must be one of {', '.join(choices)}")
    return parse


def _flag(text: str) -> bool:
    if text in ("0", "1"):
        return text == "1"
    raise ValueError("must be 0 or 1")


def _flag_text(value: bool) -> str:
    return "1" if value else "0"


def _parse_int(text: str) -> int | None:
    text = text.strip()
    # isascii: str.isdigit() accepts digits like "²" that int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else None


def _parse_float(text: str) -> float | None:
    try:
        number = float(text[:32])
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _resolution(text: str) -> int:
    number = _parse_int(text)
    if number in RESOLUTIONS:
        return number
    raise ValueError(f"must be one of {', '.join(map(str, RESOLUTIONS))}")


def _number(*, zero: bool = True) -> Callable[[str], float]:
    """A parser of numbers within ±1e6 (`zero=False`: not 0 either)."""
    def parse(text: str) -> float:
        number = _parse_float(text)
        if number is not None and abs(number) <= 1e6 and (zero or number != 0):
            return number
        raise ValueError("must be a number between -1e6 and 1e6" if zero else
                         "must be a number other than 0, between -1e6 and 1e6")
    return parse


def _number_text(value: float) -> str:
    """The shortest decimal that reads back as the same float: ``4``, ``0.1``, ``1e-07``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _pixel(text: str) -> int:
    number = _parse_int(text)
    if number is not None and 0 <= number < 100_000:
        return number
    raise ValueError("must be a whole number from 0 to 99,999 (a pixel's x or y)")


#: Questions are numbered from 0 up to this (exclusive): seven digits, as a link reads them.
QUESTION_SEEDS = 10_000_000


def _question_seed(text: str) -> int:
    number = _parse_int(text)
    if number is not None and 0 <= number < QUESTION_SEEDS:
        return number
    raise ValueError("must be a whole number from 0 to 9,999,999 (a question's number)")


def _challenge_id(text: str) -> str:
    # A link names a challenge by its id only; its kernel stays in the server's code.
    if text in convkit.lessons.CHALLENGES:
        return text
    raise ValueError(f"no challenge has that id (the ids: {', '.join(convkit.lessons.CHALLENGES)})")


def _known_kernel(text: str) -> str:
    if text in available_kernels():
        return text
    raise ValueError("no kernel of that name; a link to your own kernel carries its weights")


def _always(values: Mapping[str, Any]) -> bool:
    return True


# ------------------------------------------------------------------------------ the table


@dataclasses.dataclass(frozen=True)
class Field:
    """One shared setting: where it lives, how a link carries it, what it starts as."""

    key: str  #: Session-state key, `Settings` attribute and the sidebar widget's key.
    url: str  #: Query parameter name.
    type: type
    default: Any
    parse: Callable[[str], Any]  #: Query text -> value; ValueError says what it must be.
    format: Callable[[Any], str] = str  #: Value -> query text that `parse` reads back.
    #: Whether the URL carries it, given every value (a constant value only with that border).
    sent: Callable[[Mapping[str, Any]], bool] = _always
    #: False: kept in session state and the URL only, not in `Settings` (the picked pixel).
    setting: bool = True
    #: The sidebar has a widget keyed by `key` (re-assigned each run to survive hiding).
    widget: bool = True
    #: Session-state value -> the setting's value (a widget's 0 divisor is used as 1).
    clean: Callable[[Any], Any] | None = None
    #: Value -> its query parameters, for a setting that writes more than `url` (the kernel).
    write: Callable[[Any], dict[str, str]] | None = None

    def params(self, values: Mapping[str, Any]) -> dict[str, str]:
        """This setting's query parameters, given every value."""
        if self.write is not None:
            return self.write(values[self.key])
        return {self.url: self.format(values[self.key])} if self.sent(values) else {}

    def value_of(self, stored: Any) -> Any:
        """The setting's value from what session state holds."""
        return (self.clean or self.type)(stored)


FIELDS: tuple[Field, ...] = (
    Field("source", "image", str, DEFAULT_SAMPLE,
          _choice(tuple(convkit.SAMPLES), f"not a sample (one of {', '.join(convkit.SAMPLES)})"),
          sent=lambda v: v["source"] not in OWN_SOURCES),
    Field("color", "color", bool, False, _flag, _flag_text),
    Field("resolution", "res", int, DEFAULT_RESOLUTION, _resolution),
    # Written with its weights, or not at all; read with them by `parse_url`.
    Field("kernel_name", "kernel", str, DEFAULT_KERNEL, _known_kernel,
          write=lambda name: _kernel_params(name)),
    Field("border", "border", str, "replicate", _choice(tuple(convkit.BORDER_MODES))),
    Field("value", "value", float, 0.0, _number(), _number_text,
          sent=lambda v: v["border"] == "constant"),
    Field("flip", "flip", bool, False, _flag, _flag_text),
    Field("mapping", "mapping", str, "clip", _choice(tuple(convkit.MAPPINGS))),
    Field("divisor", "divisor", float, 1.0, _number(zero=False), _number_text,
          sent=lambda v: v["mapping"] == "divide", clean=lambda v: float(v) or 1.0),
    Field("offset", "offset", float, 0.0, _number(), _number_text,
          sent=lambda v: v["mapping"] == "divide"),
    Field("pixel_x", "x", int, None, _pixel, sent=lambda v: v["pixel_x"] is not None,
          setting=False, widget=False),
    Field("pixel_y", "y", int, None, _pixel, sent=lambda v: v["pixel_y"] is not None,
          setting=False, widget=False),
    # The number of the question a "which picture" block poses: a link asks it again. The
    # answer is never in a link; it is computed when the question is opened.
    Field("quiz_seed", "quiz", int, None, _question_seed,
          sent=lambda v: v["quiz_seed"] is not None, setting=False, widget=False),
    # The inspector's "Predict first" switch: a link with predict=1 poses the picked pixel as
    # a question (its answer is computed when the link is opened, never carried).
    Field("predict", "predict", bool, False, _flag, _flag_text,
          sent=lambda v: bool(v.get("predict")), setting=False, widget=False),
    # The challenges page's challenge: a teacher's link names it (its kernel stays here).
    Field("challenge", "challenge", str, None, _challenge_id,
          sent=lambda v: v.get("challenge") is not None, setting=False, widget=False),
)


def _kernel(self) -> convkit.Kernel:
    """The chosen kernel, from the bank or from this session's own kernels."""
    return available_kernels()[self.kernel_name]


def settings_class(fields: tuple[Field, ...]) -> type:
    """A frozen dataclass with one attribute per setting row of `fields`, defaults included."""
    made = dataclasses.make_dataclass(
        "Settings",
        [(f.key, f.type, dataclasses.field(default=f.default)) for f in fields if f.setting],
        frozen=True,
        namespace={"__doc__": "The choices every page shares; they live in session state "
                              "and in the URL.", "kernel": property(_kernel)})
    made.__module__ = __name__  # make_dataclass's `module` argument is Python 3.12+
    return made


#: The shared settings as one frozen value (``current.border``, ``current.kernel`` ...).
Settings = settings_class(FIELDS)


def defaults() -> dict[str, Any]:
    """Every field's default, by session-state key."""
    return {f.key: f.default for f in FIELDS}


def shared_keys() -> tuple[str, ...]:
    """The session-state keys of the sidebar's shared widgets."""
    return tuple(f.key for f in FIELDS if f.widget)


# ---------------------------------------------------------------- an own kernel in a link


class WeightsLink(NamedTuple):
    """An own kernel's weights as link text, or why a link cannot carry them."""

    text: str | None
    problem: str | None


@functools.lru_cache(maxsize=32)
def _weights_link(data: bytes, shape: tuple[int, int]) -> WeightsLink:
    # Keyed by content (bytes and shape), so two visitors' kernels named alike never mix; a
    # 31 x 31 text is at most 8 kB, so 32 entries stay small.
    weights = np.frombuffer(data, dtype=np.float64).reshape(shape)
    try:
        text = convkit.format_weights_text(weights)
    except ValueError:
        return WeightsLink(None, f"its {shape[0]} x {shape[1]} weights, written exactly, take "
                                 f"more than the {convkit.core.MAX_WEIGHTS_TEXT:,} characters a "
                                 "link holds")
    try:
        back = convkit.parse_weights_text(text)
    except ValueError as error:
        return WeightsLink(None, f"a link would not read its weights back ({error})")
    if not np.array_equal(back, weights):
        return WeightsLink(None, "a link would not read its weights back exactly")
    return WeightsLink(text, None)


def weights_link(weights: np.ndarray) -> WeightsLink:
    """The weights as the text a link carries, if a link can carry them and read them back
    identically; otherwise the reason, in plain words, as `problem`."""
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    return _weights_link(weights.tobytes(), weights.shape)


def _kernel_params(name: str) -> dict[str, str]:
    """The `kernel` (and `weights`) parameters for the kernel called `name`."""
    if name in convkit.BANK:
        return {"kernel": name}
    kernel = available_kernels().get(name)
    text = weights_link(kernel.weights).text if kernel is not None else None
    if text is None:
        # The weights cannot travel: the link names no kernel, so a fresh browser opens it
        # with the default kernel and no "no kernel of that name" notice, and every other
        # setting still travels. The sidebar says so and offers the kernel as a file.
        return {}
    # A kernel of this session only: the link carries its weights, so it opens anywhere.
    return {"kernel": name, WEIGHTS: text}


# --------------------------------------------------------------------- reading and writing


class Link(NamedTuple):
    """What a link asked for: session-state values, a kernel it carried, what was ignored."""

    values: dict[str, Any]
    kernel: convkit.Kernel | None
    ignored: list[str]


def parse_url(params: Mapping[str, str]) -> Link:
    """Validate query parameters into session-state values; list what was ignored and why."""
    values, ignored, kernel = {}, [], None

    def reject(key: str, why: str) -> None:
        ignored.append(f"{code_span(f'{key}={params[key]}', 48)}: {why}")

    known = {f.url for f in FIELDS} | {WEIGHTS, ROOM}
    unknown = [key for key in params if key not in known]
    for key in unknown[:_MAX_URL_NOTICES]:
        ignored.append(f"{code_span(key, 20)}: not a convkit setting")
    if len(unknown) > _MAX_URL_NOTICES:
        ignored.append(f"{len(unknown) - _MAX_URL_NOTICES} more unknown parameters")
    if WEIGHTS in params:
        try:
            weights = convkit.parse_weights_text(params[WEIGHTS])
        except ValueError as error:
            reject(WEIGHTS, code_span(str(error), 120))
        else:
            name = _linked_name(params.get("kernel", ""))
            kernel = convkit.Kernel(name, weights, "Weights from the link")
            values["kernel_name"] = name
    for field in FIELDS:
        if field.url not in params or (field.key == "kernel_name" and WEIGHTS in params):
            continue  # with weights, `kernel` only names them
        try:
            values[field.key] = field.parse(params[field.url])
        except ValueError as why:
            reject(field.url, str(why))
    return Link(values, kernel, ignored)


def url_params(values: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters that reproduce `values` (session-state key -> value)."""
    return {url: text for f in FIELDS for url, text in f.params(values).items()}


def _linked_name(text: str) -> str:
    """A safe name for a kernel that came with a link: letters, digits, ``_`` and ``-``."""
    name = "".join(c for c in text[:_MAX_LINKED_NAME] if c.isascii() and (c.isalnum()
                                                                          or c in "_-"))
    return name if name and name not in convkit.BANK else LINKED_KERNEL


def init_state() -> None:
    """Set defaults once per session, overridden by a shared link's query parameters."""
    if st.session_state.get("_initialised"):
        return
    link = parse_url(dict(st.query_params))
    if link.kernel is not None:
        save_user_kernel(link.kernel)
    sent = compat.keys_sent_by_browser()
    for key, value in {**defaults(), **link.values}.items():
        if key not in sent:
            st.session_state[key] = value
    st.session_state["_url_notices"] = link.ignored
    st.session_state[LINKED_ROOM] = st.query_params.get(ROOM)
    st.session_state["_initialised"] = True


def url_notices() -> None:
    """Say, once, which query parameters of the link were ignored."""
    ignored = st.session_state.pop("_url_notices", [])
    if ignored:
        st.warning("Some settings in the link were ignored: " + "; ".join(ignored))


def settings() -> Settings:
    """The current shared settings, read from session state."""
    state = st.session_state
    if not state.get("_initialised"):
        # Only in the legacy pages-directory run of a fresh server (see pages/__init__.py):
        # run again, this time through app.py's navigation.
        st.rerun()
    if state.get("kernel_name") not in available_kernels():
        state["kernel_name"] = DEFAULT_KERNEL
    return Settings(**{f.key: f.value_of(state.get(f.key, f.default))
                       for f in FIELDS if f.setting})


def write_url(current: Settings) -> None:
    """Mirror the settings and the picked pixel into the query string: a link reproduces them."""
    values = {f.key: (getattr(current, f.key) if f.setting else st.session_state.get(f.key))
              for f in FIELDS}
    params = url_params(values)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
