"""deploy/nginx.conf for real, on loopback: two app replicas behind one nginx.

The file is the source of truth: the harness (harness/nginx.py, also used by
``python -m bench.load --replicas 2``) only swaps the upstream's server lines, the listen
port and the log and temporary paths. A browser session goes through the proxy and keeps
working when the replica it is not pinned to stops; when its own replica stops, it reconnects
to the other one and its settings come back from the URL.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from e2e_helpers import (
    VIEWPORT,
    StreamlitServer,
    assert_no_exception,
    centre_sum,
    harness_active_sessions,
    home_pixel,
    http_get,
    inspect_column,
    pick_kernel,
    render_config,
    run_nginx,
    run_streamlit,
    save_screenshot,
    wait_for_app_idle,
)
from playwright.sync_api import Browser, Page, expect

import convkit


def active_sessions(server: StreamlitServer) -> int:
    """The replica's own count of open sessions, asked directly (not through the proxy)."""
    count = harness_active_sessions(server.url)
    assert count is not None, f"no active_sessions in {server.url}/_stcore/metrics"
    return count


def stop(server: StreamlitServer) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGTERM)
    server.proc.wait(timeout=15)


def upstreams_for(access_log: Path, route: str) -> set[str]:
    """Which replica addresses nginx sent this route cookie's requests to."""
    text = access_log.read_text()
    return set(re.findall(rf'upstream=(\S+) route="{re.escape(route)}"', text))


def coins_centre(kernel: str, page) -> float:
    """cv2.filter2D (replicate border) at the pixel Home works out on `page`."""
    pixels = convkit.fit_to_pixels(convkit.load_sample("coins"), 1024).astype(np.float64)
    out = cv2.filter2D(pixels, -1, convkit.BANK[kernel].weights, borderType=cv2.BORDER_REPLICATE)
    x, y = home_pixel(page)
    return float(out[y, x])


def test_config_renders_with_our_replicas_only() -> None:
    text = render_config([1111, 2222, 3333], 4444, Path("/w"), tls_listen=5555)
    assert "server 127.0.0.1:1111 max_fails=" in text and ":8501" not in text
    assert "listen 127.0.0.1:4444;" in text and "/var/log" not in text
    assert "listen 127.0.0.1:5555 ssl http2;" in text and "listen 443" not in text
    assert "ssl_certificate /w/tls/convkit.crt;" in text and "/etc/nginx" not in text
    assert "hash $convkit_route_key consistent;" in text


def test_two_replicas_behind_nginx(browser: Browser) -> None:
    cookie_secret = secrets.token_hex(16)  # shared, as deploy/k8s.yaml does
    with contextlib.ExitStack() as stack:
        replicas = [stack.enter_context(run_streamlit(
            "app.py", log_name=f"streamlit-replica-{i}",
            env={"STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret})) for i in (1, 2)]
        proxy, access_log = stack.enter_context(run_nginx([r.port for r in replicas]))

        # What the proxy shows and hides.
        status, headers, body = http_get(f"{proxy}/_stcore/health")
        assert (status, body.strip()) == (200, b"ok")
        assert http_get(f"{proxy}/healthz")[2].strip() == b"ok"
        assert http_get(f"{proxy}/_stcore/metrics")[0] == 404
        assert http_get(f"{replicas[0].url}/_stcore/metrics")[0] == 200  # hidden by nginx
        # The script check runs app.py on demand: for the readiness probe on the pod only.
        assert http_get(f"{proxy}/_stcore/script-health-check")[0] == 404
        assert http_get(f"{proxy}/_stcore/agent/interact")[0] == 404
        status, headers, _ = http_get(f"{proxy}/")
        assert status == 200 and "convkit_route=" in headers.get("Set-Cookie", "")
        _, headers, _ = http_get(f"{proxy}/", cookie="convkit_route=abc")
        assert "Set-Cookie" not in headers  # a returning visitor keeps the route it has

        context = browser.new_context(viewport=VIEWPORT)
        stack.callback(context.close)
        page = context.new_page()
        page.goto(f"{proxy}/?image=coins&kernel=sobel_x")
        wait_for_app_idle(page)
        assert centre_sum(page) == pytest.approx(coins_centre("sobel_x", page), abs=1e-3)
        route = next(c["value"] for c in context.cookies() if c["name"] == "convkit_route")
        pick_kernel(page, "emboss")
        assert centre_sum(page) == pytest.approx(coins_centre("emboss", page), abs=1e-3)

        # Pinned: every request with this route cookie went to one replica, which holds the
        # only session.
        served = upstreams_for(access_log, route)
        assert len(served) == 1, served
        pinned = next(r for r in replicas if served == {f"127.0.0.1:{r.port}"})
        other = next(r for r in replicas if r is not pinned)
        assert (active_sessions(pinned), active_sessions(other)) == (1, 0)

        # The other replica goes away: this visitor does not notice.
        stop(other)
        pick_kernel(page, "laplacian")
        assert centre_sum(page) == pytest.approx(coins_centre("laplacian", page), abs=1e-3)
        inspect_column(page, 7)
        assert_no_exception(page)
        assert active_sessions(pinned) == 1
        save_screenshot(page, "deploy-nginx-after-other-replica-stopped")

        # A second visitor arriving now is served by the replica that is left.
        late = browser.new_context(viewport=VIEWPORT)
        stack.callback(late.close)
        late_page = late.new_page()
        late_page.goto(f"{proxy}/?image=coins&kernel=sobel_y")
        wait_for_app_idle(late_page)
        assert centre_sum(late_page) == pytest.approx(coins_centre("sobel_y", late_page), abs=1e-3)
        assert active_sessions(pinned) == 2



@contextlib.contextmanager
def failed_over(browser: Browser) -> Iterator[tuple[Page, StreamlitServer]]:
    """A visitor on coins + emboss whose replica has just stopped; yields (page, survivor)."""
    with contextlib.ExitStack() as stack:
        replicas = [stack.enter_context(run_streamlit(
            "app.py", log_name=f"streamlit-failover-{i}")) for i in (1, 2)]
        proxy, access_log = stack.enter_context(run_nginx([r.port for r in replicas]))
        context = browser.new_context(viewport=VIEWPORT)
        stack.callback(context.close)
        page = context.new_page()
        page.goto(f"{proxy}/?image=coins&kernel=sobel_x")
        wait_for_app_idle(page)
        pick_kernel(page, "emboss")
        route = next(c["value"] for c in context.cookies() if c["name"] == "convkit_route")
        served = upstreams_for(access_log, route)
        pinned = next(r for r in replicas if served == {f"127.0.0.1:{r.port}"})
        survivor = next(r for r in replicas if r is not pinned)
        stop(pinned)
        # The browser notices the closed WebSocket and reconnects, through nginx, by itself.
        deadline = time.monotonic() + 60
        while active_sessions(survivor) < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert active_sessions(survivor) == 1
        wait_for_app_idle(page)
        yield page, survivor


def test_visitor_moves_to_the_other_replica_when_its_own_stops(browser: Browser) -> None:
    """The session is gone with its replica; the page reconnects to the other one, and the
    settings come back from the URL the app keeps up to date."""
    with failed_over(browser) as (page, _):
        # The first run of the new session is a reload from the URL (see the next test).
        page.reload()
        wait_for_app_idle(page)
        assert page.locator(".st-key-kernel_name input").input_value().startswith("emboss")
        assert centre_sum(page) == pytest.approx(coins_centre("emboss", page), abs=1e-3)
        pick_kernel(page, "sobel_y")
        assert centre_sum(page) == pytest.approx(coins_centre("sobel_y", page), abs=1e-3)
        assert_no_exception(page)
        save_screenshot(page, "deploy-nginx-after-own-replica-stopped")


def test_first_change_after_a_failover_is_kept(browser: Browser) -> None:
    """A reconnected browser's first change runs in a fresh session and must not be lost."""
    with failed_over(browser) as (page, _):
        page.locator(".st-key-kernel_name input").click()
        page.keyboard.type("sobel_y")
        page.locator('[role="option"]').filter(has_text=re.compile(r"^sobel_y \(")).first.click()
        expect(page).to_have_url(re.compile(r"kernel=sobel_y(&|$)"), timeout=8_000)
