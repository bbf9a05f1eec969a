"""The UI layer shared by every page: settings and URL, the sidebar, the working image, caches,
widgets and rendering. Pages import it as ``from pages import ui``.

Rooms: ``state`` (settings, session and URL), ``sidebar`` (the shared controls), ``images``
(the working image), ``cache`` (every cached computation, keyed by content), ``work`` (heavy
work through the server's queues, as a visitor sees it), ``widgets`` (pictures, downloads,
the crash guard), ``render`` (pure text and HTML), ``code`` (the "reproduce this" snippets),
``clickable`` (the one click component for pictures), ``compat`` (the Streamlit internals the
running UI needs). What only one page draws is in ``pages.views``; the server's own
processes, queues and guards are in the top-level ``server`` package.
"""

from __future__ import annotations

import hashlib

import numpy as np

import convkit
from pages.ui import cache, compat, render, work
from pages.ui.images import (
    WorkingImage,
    describe_image,
    safe_filename,
    smaller,
    working_image,
    working_image_or_stop,
)
from pages.ui.phone import is_phone, phone_layout
from pages.ui.render import (
    GRID_CSS,
    GRID_MAX_NUMBERED_CELLS,
    format_total,
    kernel_label,
    number,
    number_grid,
    sum_equation,
)
from pages.ui.sidebar import sidebar
from pages.ui.state import (
    DEFAULT_KERNEL,
    DEFAULT_RESOLUTION,
    DEFAULT_SAMPLE,
    RESOLUTIONS,
    UPLOAD,
    USER_KERNELS,
    Settings,
    available_kernels,
    init_state,
    save_user_kernel,
    settings,
    url_notices,
    write_url,
)
from pages.ui.widgets import (
    CHART_CONFIG,
    CRASH_MESSAGE,
    DISPLAY_WIDTH,
    agreement_badge,
    crash_guard,
    download_png,
    how_computed,
    kernel_heatmap,
    number_box,
    show_code,
    show_image,
)


def kernel_key(weights: np.ndarray) -> str:
    """A digest of kernel weights, so user kernels edited under one name never share a cache."""
    return hashlib.blake2b(np.ascontiguousarray(weights).tobytes() + str(weights.shape).encode(),
                           digest_size=12).hexdigest()


def raw_response(image: WorkingImage, current: Settings, kernel: convkit.Kernel | None = None,
                 border: str | None = None) -> cache.Pixels:
    """The raw float32 response to a kernel (default: the chosen one), cached by content."""
    kernel = kernel or current.kernel
    return cache.response(image.content, kernel.weights, border or current.border,
                          current.flip, current.value)


def output(image: WorkingImage, current: Settings, kernel: convkit.Kernel | None = None,
           border: str | None = None) -> cache.Pixels:
    """The response mapped to bytes with the chosen mapping, cached by content."""
    return cache.mapped(raw_response(image, current, kernel, border), current.mapping,
                        current.divisor, current.offset)


__all__ = [
    "CHART_CONFIG", "CRASH_MESSAGE", "DEFAULT_KERNEL", "DEFAULT_RESOLUTION", "DEFAULT_SAMPLE",
    "DISPLAY_WIDTH",
    "GRID_CSS", "GRID_MAX_NUMBERED_CELLS", "RESOLUTIONS", "Settings", "UPLOAD",
    "USER_KERNELS", "WorkingImage", "agreement_badge", "available_kernels", "cache", "compat",
    "crash_guard", "describe_image", "download_png", "format_total", "how_computed",
    "init_state", "is_phone", "kernel_heatmap", "kernel_key", "kernel_label", "number",
    "number_box", "number_grid", "output", "phone_layout",
    "raw_response", "render", "safe_filename", "save_user_kernel", "settings", "show_code",
    "show_image", "sidebar", "smaller", "sum_equation", "url_notices", "work", "working_image",
    "working_image_or_stop", "write_url",
]
