"""Drive a real convkit server: start it (and nginx), find Chromium, wait, sample, talk to it.

Dev tooling shared by the browser tests (tests/e2e) and the benchmarks (bench/); not part of
the convkit package. Everything it starts listens on 127.0.0.1 and is stopped by process id.
"""

from .camera import write_still_y4m
from .chromium import (
    CHROMIUM_ARGS,
    CHROMIUM_ARGS_MANY_PAGES,
    CHROMIUM_MISSING,
    VIEWPORT,
    chromium_executable,
    find_chromium,
    new_page,
)
from .nginx import NGINX, Proxy, render_config, run_nginx
from .page import (
    APP_STATE_JS,
    BUSY_SELECTORS,
    choose_kernel,
    choose_kernel_async,
    kernel_option,
    wait_for_app_idle,
)
from .process import Sample, Sampler, children, cpu_seconds, rss_kib
from .protocol import ProtocolSession, open_session, route_cookie
from .redis import RedisServer, run_redis
from .server import (
    ARTIFACTS_DIR,
    LOOPBACK_HOSTS,
    REPO_ROOT,
    HarnessError,
    StreamlitServer,
    active_sessions,
    check_loopback,
    free_port,
    http_get,
    raise_error,
    run_streamlit,
    stop_process_group,
)

__all__ = [
    "APP_STATE_JS",
    "ARTIFACTS_DIR",
    "BUSY_SELECTORS",
    "CHROMIUM_ARGS",
    "CHROMIUM_ARGS_MANY_PAGES",
    "CHROMIUM_MISSING",
    "HarnessError",
    "LOOPBACK_HOSTS",
    "NGINX",
    "ProtocolSession",
    "Proxy",
    "REPO_ROOT",
    "RedisServer",
    "Sample",
    "Sampler",
    "StreamlitServer",
    "VIEWPORT",
    "active_sessions",
    "check_loopback",
    "children",
    "choose_kernel",
    "choose_kernel_async",
    "chromium_executable",
    "cpu_seconds",
    "find_chromium",
    "free_port",
    "http_get",
    "kernel_option",
    "new_page",
    "open_session",
    "raise_error",
    "render_config",
    "route_cookie",
    "rss_kib",
    "run_nginx",
    "run_redis",
    "run_streamlit",
    "stop_process_group",
    "wait_for_app_idle",
    "write_still_y4m",
]
