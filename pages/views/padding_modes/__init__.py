"""The padding page's views: the "which picture is this border's output?" question (``quiz``)."""

from pages.views.padding_modes.quiz import question

__all__ = ["question"]
