"""Home: what a convolution is, one live example, and where to go next."""

import streamlit as st

import convkit
from pages import ui

st.title("convkit: see what a convolution kernel does", anchor=False)
st.markdown(
    "A **kernel** is a small grid of weights. To filter an image, slide the kernel over it: at "
    "each pixel, multiply the weights by the pixels under them (the **region of interest**) and "
    "add the products up. That sum is the output pixel. Blurs average their neighbours, "
    "sharpeners push the centre away from them, edge detectors weigh one side against the "
    "other. Near the edge part of the kernel hangs outside the image, so the image is first "
    "**padded**; how it is padded changes the border of the result."
)

current = ui.settings()
image = ui.working_image(current)
if image is not None:
    kernel = current.kernel
    # Both cached by content: a rerun neither filters nor maps the image again.
    raw, output = ui.raw_response(image, current), ui.output(image, current)
    left, right = st.columns(2)
    with left:
        ui.show_image(image.content, f"{image.label} (input)",
                      alt=f"The input image: {image.label}")
    with right:
        ui.show_image(output, f"{kernel.name}, {current.border} border, {current.mapping} mapping",
                      alt=f"{image.label} filtered with the {kernel.name} kernel, "
                          f"{current.border} border, {current.mapping} mapping")

    height, width = image.pixels.shape[:2]
    y, x = height // 2, width // 2
    breakdown = convkit.explain_pixel(image.pixels, kernel, x, y, current.border,
                                      flip=current.flip, value=current.value)
    st.header(f"One pixel by hand: the centre, x={x}, y={y}", anchor=False)
    if breakdown.is_colour or kernel.shape[0] * kernel.shape[1] > 25:
        st.markdown(
            f"The {kernel.shape[0]}x{kernel.shape[1]} kernel's weighted sum at the centre is "
            f"**{ui.format_total(breakdown.total)}**. Pick a 3x3 kernel and a gray image to see "
            "it written out here, or open the **Pixel inspector** for any pixel."
        )
    else:
        st.markdown("Σ weight × pixel = " + ui.sum_equation(breakdown.weights, breakdown.roi,
                                                            breakdown.total))
        byte = convkit.explain_mapping(breakdown.total, current.mapping,
                                       *ui.cache.stretch_range(raw),
                                       divisor=current.divisor, offset=current.offset)[-1].value
        st.markdown(f"The `{current.mapping}` mapping turns it into the byte **{byte:.0f}**; "
                    f"OpenCV computes the same sum: **{ui.number(raw.array[y, x], 6)}**.")

st.header("Explore", anchor=False)
st.page_link("pages/kernel_bank.py", label="Kernel bank: the tutorial's six kernels, the loop "
             "against cv2.filter2D", icon=":material/grid_view:")
st.page_link("pages/pixel_inspector.py", label="Pixel inspector: click a pixel, see every "
             "number behind it", icon=":material/point_scan:")
st.page_link("pages/kernel_lab.py", label="Kernel lab: write your own kernel, see its "
             "properties", icon=":material/science:")
st.page_link("pages/padding_modes.py", label="Padding: the five border modes side by side",
             icon=":material/border_outer:")
st.page_link("pages/deep_learning.py", label="Convolutions in deep learning: stride, dilation, "
             "learning a kernel", icon=":material/neurology:")
st.page_link("pages/deconvolution.py", label="Deconvolution: undo a blur four ways, and see "
             "why noise breaks the inverse filter", icon=":material/deblur:")
st.page_link("pages/template_matching.py", label="Template matching: a patch as the kernel, "
             "plain correlation against normalized", icon=":material/frame_inspect:")
