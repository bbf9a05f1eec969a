"""The project's own deploy/nginx.conf, run on loopback in front of local replicas.

The file is the source of truth: only the upstream's server lines, the two listen ports (plain
HTTP and HTTPS with HTTP/2), the certificate's folder and the log and temporary paths are
rewritten; everything else (stickiness, WebSocket upgrade, limits, hidden endpoints, TLS
settings) is exactly what a deployment gets. The certificate is a self-signed pair made for
each run (`openssl`), valid for 127.0.0.1 for a day, and removed with the work folder.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .server import ARTIFACTS_DIR, REPO_ROOT, Fail, http_get, raise_error, stop_process_group

NGINX = Path("/usr/sbin/nginx")
CONFIG = REPO_ROOT / "deploy" / "nginx.conf"
UPSTREAM_SERVER = re.compile(r"^(\s*)server\s+\S+:\d+(\s[^;]*)?;\s*$", re.MULTILINE)
START_TIMEOUT_S = 20.0
OPENSSL = "openssl"
#: Where deploy/nginx.conf expects the host's certificate and key.
TLS_DIR = "/etc/nginx/tls/"
TLS_LISTEN = "listen 443 ssl http2;"


def render_config(ports: Sequence[int], listen: int, workdir: Path, *,
                  tls_listen: int) -> str:
    """deploy/nginx.conf with replicas on 127.0.0.1:`ports`, listening on 127.0.0.1:`listen`
    (HTTP) and 127.0.0.1:`tls_listen` (HTTPS, HTTP/2), the certificate and its key in
    `workdir`/tls, logs and temporary files in `workdir`; everything else as shipped.

    ValueError if the shipped file no longer has the shape this rewriting expects.
    """
    text = CONFIG.read_text()
    if text.count(TLS_LISTEN) != 1:
        raise ValueError(f"{CONFIG} should have exactly one {TLS_LISTEN!r}")
    servers = list(UPSTREAM_SERVER.finditer(text))
    if len(servers) < 2:
        raise ValueError(f"{CONFIG} should list at least two upstream servers; "
                         f"found {len(servers)}")
    if text.count("listen 80;") != 1:
        raise ValueError(f"{CONFIG} should have exactly one 'listen 80;'")
    indent, options = servers[0].group(1), servers[0].group(2) or ""
    ours = "\n".join(f"{indent}server 127.0.0.1:{port}{options};" for port in ports)
    text = text[: servers[0].start()] + ours + text[servers[-1].end():]
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    text = text.replace(TLS_LISTEN, f"listen 127.0.0.1:{tls_listen} ssl http2;")
    text = text.replace(TLS_DIR, f"{workdir}/tls/")
    text = text.replace("/var/log/nginx/", f"{workdir}/")
    temp_paths = "".join(f"    {kind}_temp_path {workdir}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return text.replace("http {\n", "http {\n" + temp_paths, 1)


@dataclass
class Proxy:
    """A running nginx: its base URLs (plain HTTP, and HTTPS with HTTP/2 and a self-signed
    certificate), access log (in its work folder) and master process."""

    url: str
    access_log: Path
    proc: subprocess.Popen
    https_url: str


def make_certificate(folder: Path) -> None:
    """A throwaway self-signed certificate for 127.0.0.1 (and its key) in `folder`, named as
    deploy/nginx.conf expects them: convkit.crt and convkit.key. Valid for a day."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(folder / "convkit.key"), "-out", str(folder / "convkit.crt")],
        check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def run_nginx(ports: Sequence[int], *, listen: int | None = None,
              log_dir: Path = ARTIFACTS_DIR, fail: Fail = raise_error) -> Iterator[Proxy]:
    """nginx in the foreground with the rendered config, until healthy on /healthz.

    On exit it stops gracefully (SIGQUIT) and its rendered config, access and error logs are
    copied to `log_dir` as ``nginx-rendered.conf``, ``nginx-access.log``, ``nginx-error.log``.
    """
    from .server import free_port

    if not NGINX.is_file():
        fail("nginx not found: apt-get install -y nginx")
    # Not a private temporary folder: as root, nginx's workers run as nobody and must reach it.
    workdir = Path(tempfile.mkdtemp(prefix="convkit-nginx-"))
    workdir.chmod(0o755)
    listen = listen or free_port()
    tls_listen = free_port()
    for _ in range(5):  # the OS may hand out the same free port twice in a row
        if tls_listen != listen:
            break
        tls_listen = free_port()
    try:
        make_certificate(workdir / "tls")
    except (OSError, subprocess.SubprocessError) as error:
        shutil.rmtree(workdir, ignore_errors=True)
        fail(f"no self-signed certificate for nginx's HTTPS port ({error}): "
             "apt-get install -y openssl")
    config = workdir / "nginx.conf"
    config.write_text(render_config(ports, listen, workdir, tls_listen=tls_listen))
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / "nginx-rendered.conf").write_text(config.read_text())
    output = open(workdir / "nginx.out", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(NGINX), "-c", str(config), "-p", str(workdir),
         "-g", f"daemon off; pid {workdir}/nginx.pid;"],
        stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                logs = [(workdir / n).read_text(errors="replace")
                        for n in ("nginx.out", "error.log") if (workdir / n).is_file()]
                fail(f"nginx exited: {''.join(logs)}")
            with contextlib.suppress(OSError):
                if http_get(f"{url}/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                fail("nginx did not answer on /healthz")
            time.sleep(0.2)
        yield Proxy(url=url, access_log=workdir / "access.log", proc=proc,
                    https_url=f"https://127.0.0.1:{tls_listen}")
    finally:
        stop_process_group(proc, signal.SIGQUIT)  # graceful: finish requests, then exit
        output.close()
        for name in ("access.log", "error.log"):
            with contextlib.suppress(OSError):
                (log_dir / f"nginx-{name}").write_text((workdir / name).read_text())
        shutil.rmtree(workdir, ignore_errors=True)
