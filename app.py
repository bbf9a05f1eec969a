"""convkit's entry point: the shared sidebar, then whichever page is open."""

import streamlit as st

from pages import ui
from server.decode import start_decode_workers_once
from server.descent import stop_descent_worker
from server.guards import guard_public_server
from server.loops import stop_loop_worker
from server.memory import collect_now_and_then
from server.restorations import stop_restoration_worker
from server.settings import IDLE_AFTER_S


def let_go() -> None:
    """What a server nobody is using gives back: its shared stores, and the workers started
    on demand (loop, training, restorations: 80-125 MB each; the next visitor who needs one
    starts it again, in about a second)."""
    ui.cache.clear()
    stop_loop_worker()
    stop_descent_worker()
    stop_restoration_worker()


# Once per server process: the guards a shared public demo needs (see server/guards.py), and
# the decode workers, so the first upload need not wait for them. A server nobody has used
# for a minute (CONVKIT_IDLE_AFTER_S) lets go of what the visitors' work held.
guard_public_server(files_per_session=2, reap_every_s=10, store_sizes=ui.cache.store_sizes,
                    on_idle=let_go, idle_after_s=IDLE_AFTER_S)
start_decode_workers_once()

st.set_page_config(page_title="convkit: convolution kernels explained", page_icon="🔳",
                   layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/kernel_bank.py", title="Kernel bank", icon=":material/grid_view:"),
    st.Page("pages/pixel_inspector.py", title="Pixel inspector", icon=":material/point_scan:"),
    st.Page("pages/kernel_lab.py", title="Kernel lab", icon=":material/science:"),
    st.Page("pages/challenges.py", title="Challenges", icon=":material/extension:"),
    st.Page("pages/padding_modes.py", title="Padding", icon=":material/border_outer:"),
    st.Page("pages/live_video.py", title="Live video", icon=":material/videocam:"),
    st.Page("pages/deep_learning.py", title="Convolutions in deep learning",
            icon=":material/neurology:"),
    st.Page("pages/deconvolution.py", title="Deconvolution", icon=":material/deblur:"),
    st.Page("pages/template_matching.py", title="Template matching",
            icon=":material/frame_inspect:"),
    st.Page("pages/class_poll.py", title="Class poll", icon=":material/how_to_vote:"),
]

navigation = st.navigation(PAGES)
# Each page's own title in the browser tab and history ("Pixel inspector · convkit"): the
# first thing a screen reader says on arriving (WCAG 2.4.2).
st.set_page_config(page_title=f"{navigation.title} · convkit")
# A public demo shows no tracebacks; the log keeps them for whoever runs the server.
with ui.crash_guard("sidebar"):
    ui.phone_layout()
    ui.sidebar()
    ui.url_notices()
try:
    # Full runs take turns, a few at a time (server/queues.py, "run"); the wait is shown.
    with ui.crash_guard(f"page {navigation.title}"), ui.work.turn("run"):
        navigation.run()
finally:
    collect_now_and_then()
