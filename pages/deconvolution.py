"""Deconvolution: blur the image, add noise, undo the blur four ways, each scored."""

import streamlit as st

import convkit
from pages import ui
from pages.views import deconvolution as views

#: Noise slider range, gray levels.
MAX_NOISE_SHOWN = 30.0
#: Wiener balance choices: small trusts the data, large smooths.
BALANCES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
#: The blur the page starts with: the natural one to undo.
DEFAULT_BLUR = "motion_blur"
SAME = "the true blur"

st.title("Deconvolution: undoing a blur", anchor=False)
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
gray = ui.cache.gray_within(image.content, convkit.lessons.MAX_RESTORE_SIDE)
# A long line of page runs: this run works smaller, so every visitor's comes within seconds.
working = ui.work.working("deconvolution", max(gray.array.shape),
                          full=bool(st.session_state.get("deconv_full_size")))
full_height, full_width = gray.array.shape
if working.reduced:
    gray = ui.cache.gray_within(image.content, working.side)
height, width = gray.array.shape
kernels = ui.available_kernels()
st.caption(f"Working in gray at {width} x {height} px (at most "
           f"{convkit.lessons.MAX_RESTORE_SIDE} px on this page, so every run stays short)."
           + (" The colour toggle does not apply here." if current.color else ""))
if working.reduced:
    notice = st.columns([4, 1], vertical_alignment="center")
    notice[0].info(views.smaller_text(working.waiting, (width, height),
                                      (full_width, full_height)), icon="⏳")
    notice[1].button("Full size now", key="deconv_full_size",
                     help="Work this setting at full size: it waits its turn in the line.")

controls = st.columns(3)
names = list(kernels)
blur_name = controls[0].selectbox(
    "Blur kernel", names, index=names.index(DEFAULT_BLUR) if DEFAULT_BLUR in names else 0,
    key="deconv_kernel", format_func=ui.render.kernel_labels(kernels),
    help="What blurs the picture. Motion blurs and Gaussians are the natural ones; your own "
         "kernels from the kernel lab are here too.")
assumed_name = controls[0].selectbox(
    "Restore assuming", [SAME, *names], key="deconv_assumed",
    help="Every method here needs the kernel. Pick another one to see what a wrong guess does.")
noise = controls[1].slider("Noise (gray levels, standard deviation)", 0.0, MAX_NOISE_SHOWN, 2.0,
                           step=0.5, key="deconv_noise")
border = controls[1].selectbox(
    "Border of the blur", convkit.BORDER_MODES, index=convkit.BORDER_MODES.index("wrap"),
    key="deconv_border", format_func=ui.render.border_label,
    help="The Fourier methods assume wrap (the image repeats). Pick another and watch the "
         "edges of the inverse filter ring even without noise.")
balance = controls[2].select_slider("Wiener balance", BALANCES, value=0.01, key="deconv_balance",
                                    help="Small: trust the data (sharper, noisier). Large: smooth.")
iterations = controls[2].slider("Richardson-Lucy iterations", 1,
                                convkit.lessons.MAX_RL_ITERATIONS, 30, key="deconv_iterations")
unsupervised = controls[2].toggle("Unsupervised Wiener (≤ 0.6 s)", value=True,
                                  key="deconv_unsupervised")

blur = kernels[blur_name]
assumed = blur if assumed_name == SAME else kernels[assumed_name]
try:
    blurred = ui.cache.degraded(gray, blur.weights, noise, border)
except ValueError as error:
    # A zero-sum kernel or an image smaller than the kernel: say why, no traceback.
    st.warning(f"Cannot blur with {blur_name}: {error}")
    st.stop()

top = st.columns(2)
with top[0]:
    ui.show_image(gray, f"Original ({width} x {height})",
                  alt=f"The original image, in gray, {width} x {height} px")
with top[1]:
    ui.show_image(convkit.lessons.unit_to_uint8(blurred.array),
                  f"Blurred with {blur_name} + noise {ui.number(noise, 3)}: "
                  + views.score_text(ui.cache.quality(gray, blurred)),
                  alt=f"The image blurred with {blur_name}, noise {ui.number(noise, 3)} gray "
                      f"levels, {border} border")

st.header("Restorations" + ("" if assumed is blur else f", assuming {assumed_name}"), anchor=False)
methods = {"inverse": "Inverse filter (divide by H)",
           "wiener": f"Wiener, balance {ui.number(balance, 3)}",
           "richardson_lucy": f"Richardson-Lucy, {iterations} iterations"}
if unsupervised:
    methods["unsupervised_wiener"] = "Unsupervised Wiener"
for column, (method, label) in zip(st.columns(len(methods)), methods.items(), strict=True):
    with column:
        try:
            # The heavy two take turns in the server's queue; waiting shows here.
            restored = ui.work.restoration(method, blurred, assumed.weights, balance=balance,
                                           iterations=iterations, border=border)
        except ValueError as error:
            st.markdown(f"**{label}**")
            st.warning(f"Not possible with {assumed.name}: {error}")
            continue
        except ui.work.Busy as error:  # not a ValueError: the order of these does not matter
            st.markdown(f"**{label}**")
            st.warning(f"Cannot start now: {error}")
            continue
        ui.show_image(convkit.lessons.unit_to_uint8(restored.array),
                      f"{label}: {views.score_text(ui.cache.quality(gray, restored))}",
                      alt=f"The blurred image restored by {label}, assuming {assumed_name}")

st.header("Why the inverse filter explodes", anchor=False)
try:
    spectrum = ui.cache.noise_picture(assumed.weights, gray.array.shape, noise, balance)
except ValueError as error:
    st.warning(str(error))
    st.stop()
views.noise_explained(spectrum)
working.done()
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
ui.show_code(convkit.lessons.degrade, convkit.lessons.restore, convkit.lessons.inverse_filter,
             convkit.lessons.wiener, convkit.lessons.richardson_lucy)
