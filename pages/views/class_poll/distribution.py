"""The class's answers to one question as an HTML table: each answer, how many gave it, a bar,
and what it means (the right answer, or the mistake that gives it). Pure functions."""

from __future__ import annotations

from html import escape

from server.rooms import Question

_CSS = """<style>
.ck-poll {border-collapse: collapse; font-size: 0.9rem; max-width: 100%;}
.ck-poll caption {caption-side: top; text-align: left; font-weight: bold; padding-bottom: 4px;}
.ck-poll th, .ck-poll td {border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left;
  vertical-align: top;}
.ck-poll td.num {text-align: right; font-family: ui-monospace, monospace;}
.ck-poll td.share {width: 6rem; max-width: 22vw; padding-right: 4px;}
.ck-poll .bar {display: inline-block; height: 0.8rem; background: #1f5fa8;
  vertical-align: middle;}
.ck-poll .bar.right {background: #1b6e3a;}
.ck-poll-wrap {overflow-x: auto; max-width: 100%;}
</style>"""


def meaning(question: Question, value: str) -> str:
    """What an answer means once revealed: the right one, a labelled mistake, or unexplained.

    >>> q = Question("byte", "?", {}, "37", {"40": "rounded where it truncates"})
    >>> meaning(q, "37"), meaning(q, "40"), meaning(q, "38"), meaning(q, "3")
    ('right', 'rounded where it truncates', 'within 1 of the right byte', 'no mistake we know')
    """
    if value == question.truth:
        return "right"
    if value in question.labels:
        return question.labels[value]
    if question.kind == "byte" and value.isdigit() and question.truth.isdigit() and abs(
            int(value) - int(question.truth)) == 1:
        return "within 1 of the right byte"
    return "no mistake we know"


def rows(question: Question, tally: dict[str, int]) -> list[tuple[str, int, str]]:
    """(answer, count, meaning) in the order shown: the letters in order for a choice; for a
    byte the right one first (even if nobody gave it), then by count, then by value. Choices
    nobody picked are listed.

    >>> q = Question("byte", "?", {}, "37", {})
    >>> rows(q, {"12": 1, "40": 3, "37": 2})
    [('37', 2, 'right'), ('40', 3, 'no mistake we know'), ('12', 1, 'no mistake we know')]
    >>> rows(q, {"12": 1})
    [('37', 0, 'right'), ('12', 1, 'no mistake we know')]
    """
    if question.kind == "choice":
        values = list(question.choices)
    else:
        values = sorted({*tally, question.truth},
                        key=lambda v: (v != question.truth, -tally.get(v, 0), int(v)))
    return [(v, tally.get(v, 0), meaning(question, v)) for v in values]


def table_html(question: Question, tally: dict[str, int], number: int) -> str:
    """The answers as a table with a caption and headers; the right answer is marked in words
    ("right"), not by colour alone."""
    shown = rows(question, tally)
    total = sum(tally.values())
    most = max([count for _, count, _ in shown] or [0]) or 1
    what = "Byte" if question.kind == "byte" else "Picture"
    body = []
    for value, count, means in shown:
        # The most frequent answer's bar fills its column; the column shrinks on a phone.
        bar = (f'<span class="bar{" right" if means == "right" else ""}" '
               f'style="width: {100 * count / most:.1f}%" aria-hidden="true"></span>')
        body.append(f'<tr><th scope="row">{escape(value)}</th><td class="num">{count}</td>'
                    f'<td class="share">{bar}</td><td>{escape(means)}</td></tr>')
    caption = (f"Answers to question {number}: {total} answer{'s' if total != 1 else ''}"
               + ("" if shown else " yet"))
    return (f'{_CSS}<div class="ck-poll-wrap"><table class="ck-poll"><caption>'
            f"{escape(caption)}</caption><thead><tr><th scope=\"col\">{what}</th>"
            '<th scope="col">Students</th><th scope="col">Share</th>'
            '<th scope="col">What gives it</th></tr></thead><tbody>'
            + "".join(body) + "</tbody></table></div>")

