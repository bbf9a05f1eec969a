"""The live video page's views: the camera filtered in the browser, and a frozen frame."""

from pages.views.live_video.view import (
    FREEZE_KEY,
    MAX_FROZEN_BYTES,
    frame_from_data_url,
    show,
    take_frozen_frame,
)

__all__ = ["FREEZE_KEY", "MAX_FROZEN_BYTES", "frame_from_data_url", "show", "take_frozen_frame"]
