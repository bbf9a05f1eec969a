"""Deconvolution: blur the image, add noise, undo the blur four ways, each scored."""

import math

import numpy as np
import streamlit as st

import convkit
from pages import ui

#: Noise slider range, gray levels.
MAX_NOISE_SHOWN = 30.0
#: Wiener balance choices: small trusts the data, large smooths.
BALANCES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
#: Richardson-Lucy iterations between two updates of the progress bar.
RL_CHUNK = 10
#: The blur the page starts with: the natural one to undo.
DEFAULT_BLUR = "motion_blur"
SAME = "the true blur"
#: |H| is drawn from 10**-3 (black) to 1 (white); gains from 10**-1 to 10**3.
H_RANGE, GAIN_RANGE = (-3.0, 0.0), (-1.0, 3.0)

st.title("Deconvolution: undoing a blur")
st.markdown(
    "A blur is a convolution, so in the frequency domain it is a multiplication: every "
    "frequency of the image is multiplied by the kernel's frequency response **H**. Dividing "
    "by H should undo it, and without noise it does. But H is tiny at the frequencies the blur "
    "wipes out, and dividing the noise there by a tiny number makes it enormous. Move the noise "
    "slider and watch the **inverse filter** explode while **Wiener** (which divides less where "
    "H is small), **Richardson-Lucy** and the **unsupervised Wiener** (which estimates the noise "
    "itself) hold. Scores are against the original: PSNR in dB (higher is better) and SSIM "
    "(1 is a perfect match)."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
gray = convkit.fit_to_pixels(convkit.to_gray(image.pixels), convkit.MAX_RESTORE_SIDE)
kernels = ui.available_kernels()
st.caption(f"Working in gray at {gray.shape[1]} x {gray.shape[0]} px (at most "
           f"{convkit.MAX_RESTORE_SIDE} px on this page, so every run stays short)."
           + (" The colour toggle does not apply here." if current.color else ""))


@st.cache_data(max_entries=16, show_spinner=False)
def _degraded(image_key: str, weights_key: str, noise: float, border: str, _gray: np.ndarray,
              _weights: np.ndarray) -> np.ndarray:
    return convkit.degrade(_gray, _weights, noise, border=border)


@st.cache_data(max_entries=32, show_spinner=False)
def _restored(method: str, blurred_key: tuple, weights_key: str, balance: float,
              _blurred: np.ndarray, _weights: np.ndarray) -> np.ndarray:
    if method == "inverse":
        return convkit.inverse_filter(_blurred, _weights)
    if method == "wiener":
        return convkit.wiener(_blurred, _weights, balance)
    return convkit.unsupervised_wiener(_blurred, _weights, seed=0)


def _richardson_lucy(key: tuple, blurred: np.ndarray, weights: np.ndarray, iterations: int,
                     border: str) -> np.ndarray:
    """Run in chunks with a progress bar; the last result is kept for this session only."""
    kept = st.session_state.get("deconv_rl_result")
    if kept is not None and kept[0] == key:
        return kept[1]
    bar = st.progress(0.0, text="Richardson-Lucy: starting")
    result = convkit.richardson_lucy(
        blurred, weights, iterations, border=border, chunk=RL_CHUNK,
        progress=lambda done, total: bar.progress(done / total,
                                                  text=f"Richardson-Lucy: {done}/{total}"))
    bar.empty()
    st.session_state["deconv_rl_result"] = (key, result)
    return result


def _score(picture: np.ndarray) -> str:
    score = convkit.image_quality(gray, picture)
    psnr = "∞" if math.isinf(score.psnr) else ui.number(score.psnr, 3)  # identical pictures
    return f"PSNR {psnr} dB, SSIM {ui.number(score.ssim, 3)}"


controls = st.columns(3)
names = list(kernels)
blur_name = controls[0].selectbox(
    "Blur kernel", names, index=names.index(DEFAULT_BLUR) if DEFAULT_BLUR in names else 0,
    key="deconv_kernel", format_func=lambda n: f"{n} ({kernels[n].shape[0]}x{kernels[n].shape[1]})",
    help="What blurs the picture. Motion blurs and Gaussians are the natural ones; your own "
         "kernels from the kernel lab are here too.")
assumed_name = controls[0].selectbox(
    "Restore assuming", [SAME, *names], key="deconv_assumed",
    help="Every method here needs the kernel. Pick another one to see what a wrong guess does.")
noise = controls[1].slider("Noise (gray levels, standard deviation)", 0.0, MAX_NOISE_SHOWN, 2.0,
                           step=0.5, key="deconv_noise")
border = controls[1].selectbox(
    "Border of the blur", convkit.BORDER_MODES, index=convkit.BORDER_MODES.index("wrap"),
    key="deconv_border", format_func=lambda m: f"{m}  {convkit.BORDER_DRAWINGS[m]}",
    help="The Fourier methods assume wrap (the image repeats). Pick another and watch the "
         "edges of the inverse filter ring even without noise.")
balance = controls[2].select_slider("Wiener balance", BALANCES, value=0.01, key="deconv_balance",
                                    help="Small: trust the data (sharper, noisier). Large: smooth.")
iterations = controls[2].slider("Richardson-Lucy iterations", 1, convkit.MAX_RL_ITERATIONS, 30,
                                key="deconv_iterations")
unsupervised = controls[2].toggle("Unsupervised Wiener (≤ 0.6 s)", value=True,
                                  key="deconv_unsupervised")

blur = kernels[blur_name]
assumed = blur if assumed_name == SAME else kernels[assumed_name]
try:
    blurred = _degraded(image.key, ui.kernel_key(blur.weights), noise, border, gray, blur.weights)
except ValueError as error:
    # A zero-sum kernel or an image smaller than the kernel: say why, no traceback.
    st.warning(f"Cannot blur with {blur_name}: {error}")
    st.stop()
blurred_key = (image.key, ui.kernel_key(blur.weights), noise, border)
weights_key = ui.kernel_key(assumed.weights)

top = st.columns(2)
with top[0]:
    ui.show_image(gray, f"Original ({gray.shape[1]} x {gray.shape[0]})")
with top[1]:
    ui.show_image(convkit.unit_to_uint8(blurred),
                  f"Blurred with {blur_name} + noise {ui.number(noise, 3)}: {_score(blurred)}")

st.subheader("Restorations" + ("" if assumed is blur else f", assuming {assumed_name}"))
methods = [("inverse", "Inverse filter (divide by H)"),
           ("wiener", f"Wiener, balance {ui.number(balance, 3)}"),
           ("richardson_lucy", f"Richardson-Lucy, {iterations} iterations")]
if unsupervised:
    methods.append(("unsupervised_wiener", "Unsupervised Wiener"))
columns = st.columns(len(methods))
for column, (method, label) in zip(columns, methods, strict=True):
    with column:
        try:
            if method == "richardson_lucy":
                restored = _richardson_lucy((*blurred_key, weights_key, iterations), blurred,
                                            assumed.weights, iterations, border)
            else:
                # Only Wiener reads the balance: the others stay cached when it moves.
                restored = _restored(method, blurred_key, weights_key,
                                     balance if method == "wiener" else 0.0, blurred,
                                     assumed.weights)
        except ValueError as error:
            st.markdown(f"**{label}**")
            st.warning(f"Not possible with {assumed.name}: {error}")
            continue
        ui.show_image(convkit.unit_to_uint8(restored), f"{label}: {_score(restored)}")

st.subheader("Why the inverse filter explodes")
try:
    spectrum = convkit.noise_picture(assumed, gray.shape, noise, balance)
except ValueError as error:
    st.warning(str(error))
    st.stop()
after = (f"so noise of {ui.number(noise, 3)} gray levels comes out at "
         f"**{ui.number(spectrum.inverse_noise, 3)}** and "
         f"**{ui.number(spectrum.wiener_noise, 3)}**."
         if noise else "there is no noise now: move the slider.")
st.markdown(
    f"The kernel's response |H| is below {convkit.restoration.NEAR_ZERO} on "
    f"**{ui.number(100 * spectrum.near_zero, 3)} %** of the frequencies. The inverse filter "
    f"multiplies each frequency by 1/|H|, which multiplies white noise by "
    f"**{ui.number(spectrum.inverse_factor, 3)}**; Wiener's gain stays small where |H| is, and "
    f"multiplies it by **{ui.number(spectrum.wiener_factor, 3)}**: " + after
)
pictures = st.columns(3)
with pictures[0]:
    ui.show_image(convkit.log_picture(spectrum.magnitude, *H_RANGE),
                  "|H| of the kernel, zero frequency in the middle (log scale: black 0.001, "
                  "white 1)")
with pictures[1]:
    ui.show_image(convkit.log_picture(spectrum.inverse_gain, *GAIN_RANGE),
                  "Inverse filter's gain 1/|H| (log: black 0.1, white 1000 or more)")
with pictures[2]:
    ui.show_image(convkit.log_picture(spectrum.wiener_gain, *GAIN_RANGE),
                  "Wiener's gain, same scale: it never gets large")
st.info(
    "All four methods need the kernel **and its border right**. They assume the blur wrapped "
    "round the edges (the `wrap` border); with any other border the pixels near the edge do "
    "not follow that model, and the inverse filter rings there even with no noise. A kernel "
    "of the wrong size or shape (try *Restore assuming* another blur) leaves blur behind or "
    "adds ripples. The Padding page shows what each border feeds the kernel. And Wiener's "
    "balance must grow with the noise (at 10 gray levels try 0.1): the unsupervised Wiener "
    "finds its own."
)
st.page_link("pages/padding_modes.py", label="Padding: the five border modes side by side",
             icon=":material/border_outer:")
ui.show_code(convkit.degrade, convkit.inverse_filter, convkit.wiener, convkit.richardson_lucy)
