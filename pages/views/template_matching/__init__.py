"""The template matching page's views: choosing the patch (``patch``), and the summary, the
clickable maps and the breakdown at one point (``maps``)."""

from pages.views.template_matching.maps import match_breakdown, match_pictures, match_summary
from pages.views.template_matching.patch import PatchPicker

__all__ = ["PatchPicker", "match_breakdown", "match_pictures", "match_summary"]
