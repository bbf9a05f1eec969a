"""The pixel inspector's views: the picked pixel and its controls (``picker``), the pictures
drawn in the browser by the inspector's own component (``pixel_view`` + ``pixel_view.js``),
the breakdown of one output pixel (``breakdown``), and the question asked before it when the
visitor predicts first (``predict``)."""

from pages.views.pixel_inspector import pixel_view, predict
from pages.views.pixel_inspector.breakdown import show_breakdown
from pages.views.pixel_inspector.picker import PixelPicker

__all__ = ["PixelPicker", "pixel_view", "predict", "show_breakdown"]
