"""The challenges page's views: the kernel being built (``editor``) and the panels around it
(``panels``: the picker, the pictures, the score, hints and solution, the link to send)."""

from pages.views.challenges.editor import kernel_editor, load_kernel
from pages.views.challenges.panels import (
    current_challenge,
    hints_and_solution,
    pick_challenge,
    pictures,
    result,
    send_link,
    task,
)

__all__ = ["current_challenge", "hints_and_solution", "kernel_editor", "load_kernel",
           "pick_challenge", "pictures", "result", "send_link", "task"]
