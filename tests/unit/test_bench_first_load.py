"""The first-load bench's own choices (bench/first_load.py), without a server or a browser."""

from __future__ import annotations

import statistics

import pytest

from bench.first_load import PROTOCOLS, choices, lighthouse_rows, main, median_run


def lighthouse_run(score: int, fcp_s: float, lcp_s: float, tbt_ms: float) -> dict:
    return {"preset": "mobile", "protocol": "http2", "performance": score, "fcp_s": fcp_s,
            "lcp_s": lcp_s, "tbt_ms": tbt_ms, "speed_index_s": 4.0, "cls": 0.0,
            "transfer_bytes": 1.4e6}


def test_the_median_run_is_kept_whole_with_every_runs_score_beside_it() -> None:
    runs = [lighthouse_run(52, 2.9, 9.6, 630), lighthouse_run(46, 3.1, 9.7, 920),
            lighthouse_run(49, 2.3, 9.4, 940), lighthouse_run(58, 5.8, 7.3, 170)]
    kept = median_run(runs)
    assert kept["performance"] == statistics.median_high(r["performance"] for r in runs)
    # The paints are that run's own, not medians taken metric by metric.
    assert (kept["fcp_s"], kept["lcp_s"]) == (2.9, 9.6)
    assert kept["scores"] == [46, 49, 52, 58] and kept["runs"] == 4
    assert kept["lcp_range_s"] == [7.3, 9.7] and kept["tbt_range_ms"] == [170, 940]
    row = lighthouse_rows([{"page": "Home", **kept}])[0]
    assert row[:5] == ["Home", "mobile", "HTTP/2", 52, "46, 49, 52, 58"]
    assert row[-1] == "no"  # 52 is under the mobile target of 60
    with pytest.raises(ValueError, match="at least one run"):
        median_run([])


def test_protocol_choices_keep_the_bench_order_and_refuse_unknown_names() -> None:
    assert choices("http2,http1", PROTOCOLS, "--protocols") == ["http1", "http2"]
    assert choices(" http2 ", PROTOCOLS, "--protocols") == ["http2"]
    for wrong in ("http3", "", ","):
        with pytest.raises(ValueError, match="--protocols takes one or more of http1, http2"):
            choices(wrong, PROTOCOLS, "--protocols")


def test_the_command_line_refuses_an_unknown_page_before_starting_anything(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--pages", "Nowhere"])
    assert stopped.value.code == 2
    assert "--pages takes one or more of Home, Pixel inspector" in capsys.readouterr().err
