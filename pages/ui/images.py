"""The image every page works on: a sample or this visitor's upload, at the working resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import streamlit as st

import convkit
from pages.ui import cache, work
from pages.ui.state import CAMERA, LIVE, LIVE_FRAME, OWN_SOURCES, Settings

#: Uploads are decoded to at most this many pixels on the longer side (the largest working
#: resolution): nothing bigger is ever kept.
DECODE_MAX_SIDE = 2048


@dataclass(frozen=True)
class WorkingImage:
    """The image the pages work on, at the working resolution, and where it came from."""

    content: cache.Pixels
    label: str
    notes: tuple[str, ...]
    original_size: tuple[int, int]

    @property
    def pixels(self) -> np.ndarray:
        return self.content.array

    @property
    def key(self) -> str:
        """The digest of the pixels: what every cached result of this image is keyed by."""
        return self.content.digest


@dataclass(frozen=True)
class FrozenFrame:
    """A frame frozen on the live video page, held like an upload: its PNG bytes, a name, and
    an id (its digest) that `decoded_upload` keys the decoded pixels by."""

    name: str
    data: bytes
    file_id: str

    def getvalue(self) -> bytes:
        return self.data


def safe_filename(name: str, limit: int = 60) -> str:
    """An uploaded file's name keeping letters, digits, spaces and ``. , ( ) + & ' -`` only.

    Pages show it in Markdown (captions, messages): brackets, angle brackets, ``!``, ``*``,
    backticks or HTML in a name must not become a link, an image or markup.
    """
    return re.sub(r"[^\w .,()+&'-]", "_", name[:limit]).strip() or "upload"


def _upload_digest(uploaded) -> str:
    """The digest of the upload's bytes, computed once per file (10 MB take ~15 ms to hash)."""
    remembered = st.session_state.get("_upload_digest")
    if remembered and remembered[0] == uploaded.file_id:
        return remembered[1]
    digest = convkit.image_digest(uploaded.getvalue())
    st.session_state["_upload_digest"] = (uploaded.file_id, digest)
    return digest


def decoded_upload(uploaded) -> tuple[cache.Pixels, tuple[str, ...], tuple[int, int]]:
    """The upload decoded at most DECODE_MAX_SIDE px, from the shared store or the queue.

    Raises convkit.ImageLoadError (a person-readable reason) for a file that cannot be used.
    """
    store = cache.stores()["uploads"]
    key = (_upload_digest(uploaded),)
    found = store.get(key)
    if found is None:
        decoded = work.decode(uploaded.getvalue(), DECODE_MAX_SIDE)
        found = (cache.Pixels.of(decoded.pixels), tuple(decoded.notes), decoded.original_size)
        store.put(key, found, found[0].nbytes)
    return found


def working_image(current: Settings) -> WorkingImage | None:
    """The chosen image at the working resolution; None (with a message shown) if there is none."""
    if current.source not in OWN_SOURCES:
        content = cache.sample(current.source, current.color, current.resolution)
        height, width = convkit.load_sample(current.source).shape[:2]
        return WorkingImage(content, current.source, (), (width, height))
    uploaded = st.session_state.get({CAMERA: "camera_shot", LIVE: LIVE_FRAME}.get(
        current.source, "upload"))
    if uploaded is None:
        st.info({CAMERA: "Take a photo with the camera in the sidebar, or pick one of the "
                         "samples.",
                 LIVE: "Freeze a frame on the Live video page, or pick one of the samples."}.get(
                     current.source, "Upload an image in the sidebar, or pick one of the "
                                     "samples."))
        return None
    label = safe_filename(uploaded.name)
    try:
        decoded, notes, size = decoded_upload(uploaded)
    except convkit.ImageLoadError as error:  # a busy decode queue included
        st.error(f"Cannot use {label}: {error}")
        return None
    content = cache.working(decoded, current.color, current.resolution)
    return WorkingImage(content, label, notes, size)


def working_image_or_stop(current: Settings) -> WorkingImage:
    """The working image; without one (no upload yet, or a bad one) the page stops here."""
    image = working_image(current)
    if image is None:
        st.stop()
    return image


def describe_image(image: WorkingImage) -> None:
    """A caption with the image's sizes, and any notes from decoding."""
    height, width = image.pixels.shape[:2]
    original = f"{image.original_size[0]} x {image.original_size[1]}"
    shown = f"{width} x {height}"
    text = f"**{image.label}**: {shown} px" + ("" if original == shown else
                                               f" (downscaled from {original})")
    st.caption(text)
    for note in image.notes:
        st.info(note)


def smaller(image: WorkingImage, resolution: int) -> WorkingImage:
    """The same image downscaled so its longer side is at most `resolution`."""
    return WorkingImage(cache.resized(image.content, resolution), image.label, image.notes,
                        image.original_size)
