"""The kernel bank's views: the "which picture is this kernel's output?" question (``quiz``)."""

from pages.views.kernel_bank.quiz import kept_back, question

__all__ = ["kept_back", "question"]
