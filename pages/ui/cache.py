"""Every cached computation of the app, in one place, keyed by content.

A cached value depends on the digest of the image's pixels, the kernel's weights and every
setting that changes the pixels (border, value, flip, mapping, colour, resolution), all passed
as arguments and keyed by content. Big arrays travel as ``Pixels`` (the array and the digest
of its bytes). A kernel's *name* is never part of a key: two visitors may both call their
kernel ``mine``.

Every cache is a store below, shared by every session, bounded in bytes, least recently used
first: the results of the cached functions, decoded uploads, tutorial-loop results and heavy
restorations. Their sum, with the computations under way (server.queues), is the memory the
server's shared work may hold (docs/hosting.md, "Memory").
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PIL import Image

import convkit
from pages.ui import compat
from server.descent import train_in_worker
from server.queues import QUEUES
from server.restorations import quality_in_worker


@dataclass(frozen=True, eq=False)
class Pixels:
    """A read-only array and the digest of its dtype, shape and bytes: a cache key by content."""

    array: np.ndarray
    digest: str

    @classmethod
    def of(cls, array: np.ndarray) -> Pixels:
        """Wrap an array (made contiguous and read-only) with its digest."""
        array = np.ascontiguousarray(array)
        array.flags.writeable = False
        return cls(array, _digest(array))

    @property
    def nbytes(self) -> int:
        return self.array.nbytes


def _digest(array: np.ndarray) -> str:
    """The digest of an array's dtype, shape and bytes (the array itself is left as it is)."""
    digest = hashlib.blake2b(f"{array.dtype}{array.shape}".encode(), digest_size=16)
    digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))
    return digest.hexdigest()


def work_bytes(arguments: tuple, copies: float) -> int:
    """What a computation on `arguments` holds at its peak: `copies` float32 copies of its
    largest picture (a uint8 picture counts its values, each as 4 bytes)."""
    largest = max((value.array.size for value in arguments if isinstance(value, Pixels)),
                  default=0)
    return int(copies * 4 * largest)


class Store:
    """A least-recently-used store bounded in bytes, shared by all sessions, thread-safe.

    Values are shared, not copied: every session that asks gets the same read-only object.
    (st.cache_data pickled each result into its cache and unpickled a fresh copy for every
    hit, so ten visitors reading one 2048 px colour response held ten 50 MB copies, and the
    pickling alone allocated more than every computation together.)
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._values: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, default=None):
        with self._lock:
            if key not in self._values:
                return default
            self._values.move_to_end(key)
            return self._values[key][0]

    def put(self, key: tuple, value, nbytes: int) -> None:
        with self._lock:
            if key in self._values:
                self._bytes -= self._values.pop(key)[1]
            if nbytes > self.max_bytes:
                return
            self._values[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.max_bytes:
                self._bytes -= self._values.popitem(last=False)[1][1]

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._values)

    def clear(self, keep=lambda key: False) -> None:
        """Forget every value, or every one whose key `keep` does not accept."""
        with self._lock:
            for key in [key for key in self._values if not keep(key)]:
                self._bytes -= self._values.pop(key)[1]


#: Results of the cached computations below: the working images, responses, pictures ...
RESULT_STORE_BYTES = 256 * 2**20
_MISSING = object()


def _key(value) -> object:
    """A hashable stand-in for an argument, by content: a digest for arrays, the type with
    the value otherwise (1, 1.0 and True are three keys)."""
    if isinstance(value, Pixels):
        return ("pixels", value.digest)
    if isinstance(value, np.ndarray):
        return ("array", _digest(value))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, *map(_key, value))
    return (type(value).__name__, value)


def _frozen(value):
    """Make every array in `value` read-only (it is shared by every session); return the bytes
    its arrays and encoded files hold."""
    if isinstance(value, Pixels):
        return value.nbytes
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
        return value.nbytes
    if isinstance(value, (bytes, str)):
        return len(value)
    if isinstance(value, (tuple, list)):
        return sum(_frozen(item) for item in value) + 64
    if hasattr(value, "__dataclass_fields__"):
        return sum(_frozen(getattr(value, name)) for name in value.__dataclass_fields__) + 64
    return 64


#: A computation declaring at least this many bytes waits for its turn in the server's
#: compute queue; smaller ones (a 512 px picture's response is 3 MB) run at once, unless
#: marked slow. A class's misses could otherwise put a bystander's 5 ms recomputation behind
#: thirty trainings (their results evicted his from the store: 4.5 s a click).
LINE_BYTES = 16 * 2**20


def cached(*, copies: float = 0.0, slow: bool = False):
    """Cache a function of this module by the content of its arguments, in the results store.

    Arguments are keyed by content (`_key`: Pixels and arrays by digest), never by a name; the
    function's qualified name is part of the key. The result is kept read-only and shared by
    every session, counted in bytes against RESULT_STORE_BYTES (least recently used go first).
    On a miss, a computation declaring `copies` float32 copies of its largest picture
    (`work_bytes`) of LINE_BYTES or more, or marked `slow` (seconds of CPU on small inputs:
    training, restorations, quality scores), waits for its turn in the server's compute queue
    (server.queues.QUEUES["compute"]) and leaves the line if its visitor reruns or leaves;
    once its turn comes it looks again, as the visitor ahead may have computed the same.
    """

    def decorate(function):
        name = function.__qualname__

        @functools.wraps(function)
        def lookup(*arguments):
            key = (name, *map(_key, arguments))
            store = _STORES["results"]
            value = store.get(key, _MISSING)
            if value is not _MISSING:
                return value
            nbytes = work_bytes(arguments, copies)
            turn = (QUEUES["compute"].slot(compat.stop_if_rerun_requested, nbytes=nbytes,
                                           owner=compat.session_id())
                    if slow or (copies and nbytes >= LINE_BYTES) else contextlib.nullcontext())
            with turn:
                value = store.get(key, _MISSING)
                if value is _MISSING:
                    value = function(*arguments)
                    store.put(key, value, _frozen(value))
            return value

        return lookup

    return decorate


#: Decoded uploads at the largest working resolution (at most 2048 x 2048 x 3 = 12 MB each).
UPLOAD_STORE_BYTES = 96 * 2**20
#: Tutorial-loop results (at most 256 x 256 x 3 float32, 0.8 MB each).
LOOP_STORE_BYTES = 40 * 2**20


#: Heavy restorations (at most 512 x 512 float64, 2 MB each): Richardson-Lucy and unsupervised
#: Wiener results, made in turn in pages.ui.work's queue.
RESTORE_STORE_BYTES = 48 * 2**20
#: Module-level, not st.cache_resource: two sessions arriving at once on a cold cache could
#: each build their own.
_STORES = {"results": Store(RESULT_STORE_BYTES), "uploads": Store(UPLOAD_STORE_BYTES),
           "loops": Store(LOOP_STORE_BYTES), "restorations": Store(RESTORE_STORE_BYTES)}


def stores() -> dict[str, Store]:
    """The server's byte-bounded stores, one per process, shared by every session."""
    return _STORES


def store_sizes() -> dict[str, int]:
    """Bytes each store holds now, by name (for the server's metrics)."""
    return {name: store.nbytes for name, store in _STORES.items()}


# ---------------------------------------------------------------------------- images


@cached(copies=1)
def sample(name: str, color: bool, resolution: int) -> Pixels:
    """A bundled sample, gray or colour, at the working resolution."""
    pixels = convkit.load_sample(name)
    pixels = pixels if color else convkit.to_gray(pixels)
    return Pixels.of(convkit.fit_to_pixels(pixels, resolution))


@cached(copies=1)
def working(decoded: Pixels, color: bool, resolution: int) -> Pixels:
    """A decoded upload, gray or colour, at the working resolution."""
    pixels = decoded.array if color else convkit.to_gray(decoded.array)
    return Pixels.of(convkit.fit_to_pixels(pixels, resolution))


@cached(copies=1)
def resized(image: Pixels, resolution: int) -> Pixels:
    """An image downscaled so its longer side is at most `resolution` (the loop's copy)."""
    return Pixels.of(convkit.fit_to_pixels(image.array, resolution))


# ---------------------------------------------------------------------- computations


@cached(copies=3)
def response(image: Pixels, weights: np.ndarray, border: str, flip: bool,
             value: float) -> Pixels:
    """The raw float32 response of an image to a kernel's weights."""
    return Pixels.of(convkit.convolve(image.array, weights, border, flip=flip, value=value))


@cached(copies=2)
def mapped(raw: Pixels, mapping: str, divisor: float = 1.0, offset: float = 0.0) -> Pixels:
    """A raw response mapped to bytes 0..255 (divisor and offset: the ``divide`` mapping's)."""
    return Pixels.of(convkit.to_uint8(raw.array, mapping, divisor=divisor, offset=offset))


@cached(copies=3)
def stretch_range(raw: Pixels) -> tuple[float, float]:
    """The range the ``minmax`` mapping stretches to 0..255, over all channels together."""
    return convkit.explain.stretch_range(raw.array)


def filtered_bytes(image: Pixels, weights: np.ndarray, border: str, flip: bool, value: float,
                   mapping: str, divisor: float = 1.0, offset: float = 0.0) -> np.ndarray:
    """The image filtered and mapped to bytes, not cached: the raw float32 response is not
    kept, nor the bytes (a full-resolution download, made on click, pages.ui.work)."""
    raw = convkit.convolve(image.array, weights, border, flip=flip, value=value)
    return convkit.to_uint8(raw, mapping, divisor=divisor, offset=offset)


@cached(copies=3)
def opencv_reference(image: Pixels, weights: np.ndarray) -> Pixels:
    """cv2.filter2D's own bytes (its default border), as the tutorial computes them."""
    return Pixels.of(convkit.explain.opencv_reference(image.array, weights))


@cached(copies=4)
def agreement(image: Pixels, weights: np.ndarray, raw: Pixels, border: str, flip: bool,
              value: float, mapping: str, divisor: float = 1.0,
              offset: float = 0.0) -> convkit.Agreement:
    """How far a result is from cv2.filter2D's, byte by byte, and why."""
    return convkit.compare_with_opencv(image.array, weights, raw.array, border, mapping,
                                       flip=flip, value=value, divisor=divisor, offset=offset)


# --------------------------------------------------------------------------- pictures


@dataclass(frozen=True)
class Encoded:
    """An encoded picture: the bytes the browser gets, with the size they show."""

    data: bytes
    mimetype: str
    width: int
    height: int

    def save(self, buffer, format=None, **_options) -> None:
        """Write the encoded bytes: lets components that call ``image.save`` take it as is."""
        buffer.write(self.data)


@cached()
def picture(pixels: Pixels, width: int, format: str = "JPEG") -> Encoded:
    """A uint8 picture downscaled to `width`, encoded once.

    JPEG (quality 90) for photos shown whole; PNG (fast compression) where exact pixels matter.
    """
    return _picture(pixels.array, width, format)


def _picture(array: np.ndarray, width: int, format: str) -> Encoded:
    if array.shape[1] > width:
        array = convkit.fit_to_pixels(array, width)
    options = {"quality": 90} if format == "JPEG" else {"compress_level": 1}
    return Encoded(_encoded(array, format=format, **options), f"image/{format.lower()}",
                   array.shape[1], array.shape[0])


@cached(copies=3)
def filtered_picture(image: Pixels, weights: np.ndarray, border: str, flip: bool, value: float,
                     mapping: str, divisor: float, offset: float, width: int) -> Encoded:
    """The image filtered and mapped to bytes, as a JPEG picture at most `width` wide.

    For pages that show many kernels at once (the bank), given the image at the size it is
    shown: the cache keeps only the picture, about 0.1 MB, where the bytes at 2048 px in
    colour are 12.6 MB (twenty kernels' overflowed the shared cache). A download is made at
    full resolution on click (`filtered_bytes`, pages.ui.work.download).
    """
    return _picture(filtered_bytes(image, weights, border, flip, value, mapping, divisor,
                                   offset), width, "JPEG")


@cached(copies=3)
def opencv_picture(image: Pixels, weights: np.ndarray, width: int) -> Encoded:
    """cv2.filter2D's own bytes (`opencv_reference`) as a JPEG picture at most `width` wide."""
    return _picture(convkit.explain.opencv_reference(image.array, weights), width, "JPEG")


@cached(copies=3)
def difference_picture(result: Pixels, reference: Pixels) -> tuple[Encoded, int, int]:
    """Where `result` differs from `reference` (convkit.explain.mark_differences) as a PNG at
    their own size (never shrunk: one differing pixel must stay a dot), with the number of
    differing pixels and of all pixels."""
    marked = convkit.explain.mark_differences(result.array, reference.array)
    height, width = marked.picture.shape[:2]
    encoded = Encoded(_encoded(marked.picture, format="PNG", compress_level=1), "image/png",
                      width, height)
    return encoded, marked.differing, marked.total


@cached()
def overview_url(pixels: Pixels, width: int) -> str:
    """A uint8 picture as a JPEG data URL for an overview `width` wide, encoded once.

    Pictures are reduced to fit `width` (their longer side), narrow ones enlarged pixel by
    pixel (convkit.explain.overview_picture).
    """
    import base64

    array = convkit.explain.overview_picture(convkit.fit_to_pixels(pixels.array, width), width)
    jpeg = _encoded(array, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


@cached()
def png_url(pixels: Pixels) -> str:
    """A uint8 picture as a PNG data URL at its own size, encoded once (the clickable
    pictures: lossless, so a one-pixel line stays sharp)."""
    import base64

    return "data:image/png;base64," + base64.b64encode(_encoded(pixels.array,
                                                                format="PNG")).decode()


def png_bytes(array: np.ndarray) -> bytes:
    """A uint8 picture as PNG file bytes, not cached (a download is made once, on click).

    Fast compression (level 1): a 2048 px colour picture encodes in a fraction of the time of
    the default level, for a file about a fifth bigger; the server's CPU is the scarcer.
    """
    return _encoded(array, format="PNG", compress_level=1)


def _encoded(array: np.ndarray, **options) -> bytes:
    """A uint8 array as the bytes of an image file, PIL's `save` `options` applied."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, **options)
    return buffer.getvalue()


# ------------------------------------------ deconvolution, template matching, kernel lab

def restorations() -> Store:
    """The server's store of heavy restorations, shared by every session."""
    return _STORES["restorations"]


@cached(copies=1)
def gray_within(image: Pixels, side: int) -> Pixels:
    """The image in gray, downscaled so its longer side is at most `side`."""
    return Pixels.of(convkit.fit_to_pixels(convkit.to_gray(image.array), side))


@cached(copies=4, slow=True)
def degraded(gray: Pixels, weights: np.ndarray, noise: float, border: str) -> Pixels:
    """A gray image blurred by a kernel's weights, plus noise, on the 0..1 scale."""
    return Pixels.of(convkit.lessons.degrade(gray.array, weights, noise, border=border))


@cached(copies=8, slow=True)
def restored(blurred: Pixels, weights: np.ndarray, method: str, balance: float) -> Pixels:
    """A light restoration (inverse filter or Wiener, milliseconds) of a blurred image."""
    return Pixels.of(convkit.lessons.restore(blurred.array, weights, method, balance=balance))


@cached(copies=8, slow=True)
def quality(original: Pixels, picture: Pixels) -> convkit.lessons.Quality:
    """PSNR and SSIM of a picture against the original, scored in the restorations' worker
    process (SSIM's filters hold the interpreter lock; server.restorations)."""
    psnr, ssim = quality_in_worker(original.array, picture.array,
                                   on_wait=compat.stop_if_rerun_requested)
    return convkit.lessons.Quality(psnr, ssim)


@cached(copies=8, slow=True)
def noise_picture(weights: np.ndarray, shape: tuple[int, int], noise: float,
                  balance: float) -> convkit.lessons.NoisePicture:
    """A kernel's |H| on an image grid and the noise each filter lets through."""
    return convkit.lessons.noise_picture(weights, shape, noise, balance)


@cached(copies=2)
def shifted(gray: Pixels, dx: int, dy: int, noise: float) -> Pixels:
    """A gray image moved (wrapping round) with noise added, as uint8."""
    return Pixels.of(convkit.lessons.shifted_copy(gray.array, dx, dy, noise, seed=0))


@cached(copies=8, slow=True)
def match_maps(target: Pixels, patch: Pixels, border: str) -> convkit.lessons.MatchMaps:
    """The plain and normalized correlation maps of a patch over a gray image."""
    return convkit.lessons.match_maps(target.array, patch.array, border)


@cached(copies=6, slow=True)
def composition_error(image: Pixels, first: np.ndarray, second: np.ndarray) -> float:
    """Largest interior difference between filtering by `first` then `second` and by A * B."""
    return convkit.lessons.composition_error(image.array, first, second)


@cached(copies=4, slow=True)
def repeated(image: Pixels, weights: np.ndarray, times: int, border: str, flip: bool,
             value: float) -> Pixels:
    """The image filtered `times` times in a row (float32, no rounding between passes)."""
    return Pixels.of(convkit.lessons.apply_repeatedly(image.array, weights, times, border,
                                                      flip=flip, value=value))


@cached(slow=True)
def gaussian_gaps(weights: np.ndarray) -> tuple[float | None, ...]:
    """The kernel's gap from its Gaussian after 1..MAX_TIMES passes (up to 30 ms for 31 x 31)."""
    return convkit.lessons.gaussian_gaps(weights)


def clear(keep: tuple[str, ...] = ()) -> None:
    """Empty every store of this module but the results of the functions named in `keep`
    (tests, benchmarks and an idle server; visitors cannot)."""
    for store in _STORES.values():
        store.clear(lambda key: key[0] in keep)


# ----------------------------------------------------------------- deep-learning page


@cached(copies=2, slow=True)
def descent(inputs: Pixels, weights: np.ndarray, rate: float,
            steps: int) -> convkit.lessons.DescentRun:
    """Gradient descent learning `weights` back from `inputs` and their filtered version.

    At most 2000 steps of a 5 x 5 kernel on 64 x 64 pixels (convkit.lessons' bounds), run in
    the training's worker process (server.descent) while this holds its compute slot: the
    run's Python does not hold the server's interpreter lock.
    """
    return train_in_worker(inputs.array, weights, learning_rate=rate, steps=steps,
                           on_wait=compat.stop_if_rerun_requested)


@cached(copies=4, slow=True)
def least_squares(gray: Pixels, weights: np.ndarray,
                  noise: float) -> tuple[convkit.lessons.LearnedKernel, Pixels]:
    """The kernel least squares finds from a gray image filtered by `weights`, plus noise.

    Returned with that target, as float32 Pixels ready for ``mapped``.
    """
    inputs, target = convkit.lessons.make_training_pair(gray.array, weights, noise, seed=0)
    return (convkit.lessons.learn_kernel(inputs, target, weights.shape),
            Pixels.of(target.astype(np.float32)))


# ------------------------------------------------------------ "which picture" questions


@cached(copies=6)
def kernel_question(image: Pixels, weights: np.ndarray, name: str, seed: int, border: str,
                    flip: bool, value: float, mapping: str, divisor: float,
                    offset: float) -> convkit.lessons.PictureQuestion | str:
    """convkit.lessons.kernel_question on the image at the size its choices are shown, or
    why no question can be asked (kept too, so a rerun does not try again).

    About six float32 copies of the (320 px) image at the peak: the truth's response and
    bytes, the pictures kept so far, and the confusion being tried (the name only words the
    explanations; the weights key the result).
    """
    try:
        return convkit.lessons.kernel_question(image.array, weights, name=name, seed=seed,
                                               border=border, flip=flip, value=value,
                                               mapping=mapping, divisor=divisor,
                                               offset=offset)
    except ValueError as error:
        return str(error)


@cached(copies=2)
def border_question(image: Pixels, weights: np.ndarray, name: str, seed: int, border: str,
                    flip: bool, value: float, mapping: str, divisor: float,
                    offset: float) -> convkit.lessons.PictureQuestion | str:
    """convkit.lessons.border_question on the working image, or why none can be asked.

    Only the corners are filtered (about 20 ms at 2048 px in colour), except with the
    min-max mapping, which needs each mode's whole output: the five modes' bytes and one
    float32 response at a time, about two float32 copies of the image, as declared.
    """
    try:
        return convkit.lessons.border_question(image.array, weights, border, name=name,
                                               seed=seed, flip=flip, value=value,
                                               mapping=mapping, divisor=divisor, offset=offset)
    except ValueError as error:
        return str(error)
