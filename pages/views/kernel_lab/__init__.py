"""The kernel lab's views: the editing state and its callbacks (``editing``), the editor's
widgets (``editor``), and the sections that read a kernel's properties (``properties``)."""

from pages.views.kernel_lab.editing import load, start
from pages.views.kernel_lab.editor import editor_and_generators, keep_it
from pages.views.kernel_lab.properties import composition, profile_figure, properties

__all__ = ["composition", "editor_and_generators", "keep_it", "load", "profile_figure",
           "properties", "start"]
