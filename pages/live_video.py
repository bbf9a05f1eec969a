"""Live video: the sidebar's kernel on the camera stream, computed in the visitor's browser."""

import streamlit as st

from pages import ui
from pages.ui.state import LIVE
from pages.views import live_video as views

st.title("Live video", anchor=False)
st.markdown(
    "Point the camera at something with edges (a striped shirt, a window, a hand) and watch "
    "the sidebar's **kernel, border, flip and mapping** run on every frame. The divider "
    "splits the picture: the original on its left, the filtered frame on its right. The "
    "arithmetic is convkit's, byte for byte, done by your device's graphics chip.")
st.info("**Nothing leaves your device while live**: the frames are filtered in this browser "
        "and never sent. Only **Freeze this frame** sends one frame, which then becomes the "
        "working image of every page (the pixel inspector's exact breakdown included), with "
        "the same checks as an upload. The camera starts only when you press Start and stops "
        "when you leave or hide the page.", icon=":material/lock:")

current = ui.settings()
views.show(current)

if current.source == LIVE:
    image = ui.working_image(current)
    if image is not None:
        st.subheader("The frozen frame, now the working image", anchor=False)
        ui.describe_image(image)
        ui.show_image(ui.output(image, current),
                      f"{current.kernel.name}, {current.border} border, {current.mapping} "
                      "mapping, computed on the server", 360,
                      alt=f"The frozen frame filtered on the server with the "
                          f"{current.kernel.name} kernel, {current.border} border, "
                          f"{current.mapping} mapping")
