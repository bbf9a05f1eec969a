"""deploy/nginx.conf for real, on loopback: two app replicas behind one nginx.

The file is the source of truth: the test only swaps the upstream's server lines, the listen
port and the log and temporary paths. A browser session goes through the proxy and keeps
working when the replica it is not pinned to stops; when its own replica stops, it reconnects
to the other one and its settings come back from the URL.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from e2e_helpers import (
    ARTIFACTS_DIR,
    REPO_ROOT,
    VIEWPORT,
    StreamlitServer,
    assert_no_exception,
    centre_sum,
    free_port,
    inspect_column,
    pick_kernel,
    run_streamlit,
    save_screenshot,
    wait_for_app_idle,
)
from playwright.sync_api import Browser, Page, expect

import convkit

NGINX = Path("/usr/sbin/nginx")
CONFIG = REPO_ROOT / "deploy" / "nginx.conf"
UPSTREAM_SERVER = re.compile(r"^(\s*)server\s+\S+:\d+(\s[^;]*)?;\s*$", re.MULTILINE)


def render_config(ports: list[int], listen: int, workdir: Path) -> str:
    """deploy/nginx.conf with our replicas, port and paths; everything else as shipped."""
    text = CONFIG.read_text()
    servers = list(UPSTREAM_SERVER.finditer(text))
    assert len(servers) >= 2, "deploy/nginx.conf should list at least two replicas"
    indent, options = servers[0].group(1), servers[0].group(2) or ""
    ours = "\n".join(f"{indent}server 127.0.0.1:{port}{options};" for port in ports)
    text = text[: servers[0].start()] + ours + text[servers[-1].end():]
    assert text.count("listen 80;") == 1
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    text = text.replace("/var/log/nginx/", f"{workdir}/")
    temp_paths = "".join(f"    {kind}_temp_path {workdir}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return text.replace("http {\n", "http {\n" + temp_paths, 1)


def http_get(url: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def active_sessions(server: StreamlitServer) -> int:
    """The replica's own count of open sessions, asked directly (not through the proxy)."""
    _, _, body = http_get(f"{server.url}/_stcore/metrics")
    found = re.search(rb"^active_sessions (\d+)", body, re.MULTILINE)
    assert found, body[:500]
    return int(found.group(1))


@contextlib.contextmanager
def run_nginx(ports: list[int]) -> Iterator[tuple[str, Path]]:
    """nginx in the foreground with the rendered config; yields (base URL, access log)."""
    if not NGINX.is_file():
        pytest.fail("nginx not found: apt-get install -y nginx", pytrace=False)
    # Not pytest's tmp_path: as root, nginx's workers run as nobody and must reach it.
    workdir = Path(tempfile.mkdtemp(prefix="convkit-nginx-"))
    workdir.chmod(0o755)
    listen = free_port()
    config = workdir / "nginx.conf"
    config.write_text(render_config(ports, listen, workdir))
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS_DIR / "nginx-rendered.conf").write_text(config.read_text())
    output = open(workdir / "nginx.out", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(NGINX), "-c", str(config), "-p", str(workdir),
         "-g", f"daemon off; pid {workdir}/nginx.pid;"],
        stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"nginx exited: {(workdir / 'nginx.out').read_text()}"
                            f"{(workdir / 'error.log').read_text()}", pytrace=False)
            with contextlib.suppress(OSError):
                if http_get(f"{url}/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail("nginx did not answer on /healthz", pytrace=False)
            time.sleep(0.2)
        yield url, workdir / "access.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGQUIT)  # graceful: finish requests, then exit
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        output.close()
        for name in ("access.log", "error.log"):
            with contextlib.suppress(OSError):
                (ARTIFACTS_DIR / f"nginx-{name}").write_text((workdir / name).read_text())
        shutil.rmtree(workdir, ignore_errors=True)


def stop(server: StreamlitServer) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGTERM)
    server.proc.wait(timeout=15)


def upstreams_for(access_log: Path, route: str) -> set[str]:
    """Which replica addresses nginx sent this route cookie's requests to."""
    text = access_log.read_text()
    return set(re.findall(rf'upstream=(\S+) route="{re.escape(route)}"', text))


def coins_centre(kernel: str) -> float:
    pixels = convkit.fit_to_pixels(convkit.load_sample("coins"), 1024).astype(np.float64)
    out = cv2.filter2D(pixels, -1, convkit.BANK[kernel].weights, borderType=cv2.BORDER_REPLICATE)
    return float(out[pixels.shape[0] // 2, pixels.shape[1] // 2])


def test_config_renders_with_our_replicas_only() -> None:
    text = render_config([1111, 2222, 3333], 4444, Path("/w"))
    assert "server 127.0.0.1:1111 max_fails=" in text and ":8501" not in text
    assert "listen 127.0.0.1:4444;" in text and "/var/log" not in text
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
        assert centre_sum(page) == pytest.approx(coins_centre("sobel_x"), abs=1e-3)
        route = next(c["value"] for c in context.cookies() if c["name"] == "convkit_route")
        pick_kernel(page, "emboss")
        assert centre_sum(page) == pytest.approx(coins_centre("emboss"), abs=1e-3)

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
        assert centre_sum(page) == pytest.approx(coins_centre("laplacian"), abs=1e-3)
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
        assert centre_sum(late_page) == pytest.approx(coins_centre("sobel_y"), abs=1e-3)
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
        assert centre_sum(page) == pytest.approx(coins_centre("emboss"), abs=1e-3)
        pick_kernel(page, "sobel_y")
        assert centre_sum(page) == pytest.approx(coins_centre("sobel_y"), abs=1e-3)
        assert_no_exception(page)
        save_screenshot(page, "deploy-nginx-after-own-replica-stopped")


def test_first_change_after_a_failover_is_kept(browser: Browser) -> None:
    """A reconnected browser's first change runs in a fresh session and must not be lost."""
    with failed_over(browser) as (page, _):
        page.locator(".st-key-kernel_name input").click()
        page.keyboard.type("sobel_y")
        page.locator('[role="option"]').filter(has_text=re.compile(r"^sobel_y \(")).first.click()
        expect(page).to_have_url(re.compile(r"kernel=sobel_y(&|$)"), timeout=8_000)
