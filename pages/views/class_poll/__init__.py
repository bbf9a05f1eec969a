"""The class poll's views: the questions a teacher poses (``questions``), the class's answers
as a table (``distribution``), and the two sides of a room (``teacher``, ``student``)."""

from pages.views.class_poll import distribution, questions, student, teacher

__all__ = ["distribution", "questions", "student", "teacher"]
