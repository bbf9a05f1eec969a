"""bench.classroom's figures: the wait for each visitor's last change, counted against 10 s."""

from __future__ import annotations

from bench.classroom import Figures, text


def test_each_visitors_last_change_is_counted_against_ten_seconds():
    """Three visitors: one's last result in 3 s, one's in 12 s, one's never came; one of the
    three is within 10 s, and the line printed says so."""
    figures = Figures(waits_s=[1.0, 3.0, 12.0], last_waits_s={0: 3.0, 1: 12.0, 2: None})
    summary = figures.summary(0.0, 1.0)
    assert summary["last_change_s"] == {"n": 2, "p50": 7.5, "p95": 12.0, "max": 12.0,
                                        "visitors": 3, "within_10s": 1}
    printed = text({"scenario": "deconvolution", "visitors": 3, "seconds": 1, "every_s": 0.5,
                    **summary})
    assert "last change's    p50 7.5 s  max 12.0 s  within 10 s: 1 of 3 visitors" in printed
