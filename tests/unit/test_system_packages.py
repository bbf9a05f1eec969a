"""scripts/system-packages.sh: Chromium, nginx, Redis and OpenSSL installed when missing, or a
clear stop.

A machine without them is simulated with CONVKIT_SYSROOT (an empty directory to look in),
apt-get and sudo by stand-ins on PATH that record how they were called; a user without root
by running the script as `nobody`. Nothing is installed or removed for real.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "system-packages.sh"
NOBODY = 65534
AS_ROOT = os.geteuid() == 0


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A temporary directory `nobody` can read (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="convkit-syspkg-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def stand_in(bin_dir: Path, name: str, log: Path, body: str = "") -> None:
    """An executable `name` on bin_dir that appends its arguments to log, then runs body."""
    bin_dir.mkdir(exist_ok=True)
    log.touch()
    log.chmod(0o666)  # the script may run as nobody
    path = bin_dir / name
    path.write_text(f'#!/bin/sh\necho "{name} $*" >> {log}\n{body}\n')
    path.chmod(0o755)


def run_script(env: dict[str, str], *, as_nobody: bool = False) -> subprocess.CompletedProcess:
    # A copy `nobody` can read wherever the clone is (CI's may sit in a root-only folder).
    copy = Path(tempfile.mkdtemp(prefix="convkit-syspkg-script-"))
    copy.chmod(0o755)
    shutil.copy(SCRIPT, copy / SCRIPT.name)
    command = ["bash", str(copy / SCRIPT.name)]
    if as_nobody and AS_ROOT:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   *command]
    base = {"PATH": os.environ["PATH"], "HOME": "/tmp", "LANG": "C.UTF-8"}
    try:
        return subprocess.run(command, env={**base, **env}, capture_output=True, text=True,
                              timeout=30, cwd=copy, stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def test_nothing_to_do_when_both_are_there(shared_dir: Path) -> None:
    """With Chromium and nginx in place (faked under a sysroot) apt-get is never called."""
    log = shared_dir / "calls.log"
    stand_in(shared_dir / "bin", "apt-get", log)
    for program in ("usr/bin/chromium", "usr/sbin/nginx", "usr/bin/redis-server",
                    "usr/bin/openssl"):
        (shared_dir / "root" / program).parent.mkdir(parents=True, exist_ok=True)
        (shared_dir / "root" / program).write_text("#!/bin/sh\n")
        (shared_dir / "root" / program).chmod(0o755)
    done = run_script({"CONVKIT_SYSROOT": str(shared_dir / "root"),
                       "PATH": f"{shared_dir / 'bin'}:{os.environ['PATH']}"})
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert log.read_text() == ""


def test_this_machine_has_both() -> None:
    """The real check on this machine: the suite's browser and proxy tests can run."""
    done = run_script({})
    assert done.returncode == 0, done.stderr
    assert "installing" not in done.stdout


@pytest.mark.skipif(not AS_ROOT, reason="the root branch needs the tests to run as root")
def test_root_installs_what_is_missing_after_an_update(shared_dir: Path) -> None:
    log = shared_dir / "calls.log"
    stand_in(shared_dir / "bin", "apt-get", log)
    done = run_script({"CONVKIT_SYSROOT": str(shared_dir / "empty"),
                       "PATH": f"{shared_dir / 'bin'}:{os.environ['PATH']}"})
    assert log.read_text().splitlines() == [
        "apt-get update", "apt-get install -y chromium nginx redis-server openssl"]
    assert done.stdout.startswith(
        "== installing chromium nginx redis-server openssl with apt-get: Chromium")
    assert "real-browser tests" in done.stdout and "reverse-proxy tests" in done.stdout
    # The stand-in installed nothing: the script checks again and says so instead of
    # letting pytest fail later.
    assert done.returncode == 1
    assert "still missing" in done.stderr


@pytest.mark.skipif(not AS_ROOT, reason="the root branch needs the tests to run as root")
def test_only_the_missing_one_is_installed(shared_dir: Path) -> None:
    log = shared_dir / "calls.log"
    stand_in(shared_dir / "bin", "apt-get", log)
    nginx = shared_dir / "root" / "usr" / "sbin" / "nginx"
    nginx.parent.mkdir(parents=True)
    nginx.write_text("#!/bin/sh\n")
    nginx.chmod(0o755)
    redis = shared_dir / "root" / "usr" / "bin" / "redis-server"
    redis.parent.mkdir(parents=True)
    redis.write_text("#!/bin/sh\n")
    redis.chmod(0o755)
    openssl = shared_dir / "root" / "usr" / "bin" / "openssl"
    openssl.write_text("#!/bin/sh\n")
    openssl.chmod(0o755)
    run_script({"CONVKIT_SYSROOT": str(shared_dir / "root"),
                "PATH": f"{shared_dir / 'bin'}:{os.environ['PATH']}"})
    assert log.read_text().splitlines() == ["apt-get update", "apt-get install -y chromium"]


def test_without_root_or_sudo_it_stops_with_the_command(shared_dir: Path) -> None:
    log = shared_dir / "calls.log"
    stand_in(shared_dir / "bin", "apt-get", log)
    stand_in(shared_dir / "bin", "sudo", log, "exit 1")  # sudo that wants a password
    done = run_script({"CONVKIT_SYSROOT": str(shared_dir / "empty"),
                       "PATH": f"{shared_dir / 'bin'}:{os.environ['PATH']}"}, as_nobody=True)
    assert done.returncode == 1 and done.stdout == ""
    assert "missing Chromium (/usr/bin/chromium) for the real-browser tests and nginx" in (
        done.stderr)
    assert ("sudo sh -c 'apt-get update && apt-get install -y chromium nginx redis-server openssl'"
            in done.stderr)
    assert log.read_text().splitlines() == ["sudo -n true"]  # asked, never apt-get


def test_without_root_it_uses_passwordless_sudo(shared_dir: Path) -> None:
    log = shared_dir / "calls.log"
    stand_in(shared_dir / "bin", "apt-get", log)
    stand_in(shared_dir / "bin", "sudo", log, 'shift; exec "$@"')  # drops -n, runs the rest
    done = run_script({"CONVKIT_SYSROOT": str(shared_dir / "empty"),
                       "PATH": f"{shared_dir / 'bin'}:{os.environ['PATH']}"}, as_nobody=True)
    assert "(through sudo -n)" in done.stdout
    assert log.read_text().splitlines() == [
        "sudo -n true",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update",
        "apt-get update",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium nginx "
        "redis-server openssl",
        "apt-get install -y chromium nginx redis-server openssl",
    ]


def test_make_test_runs_it_before_pytest() -> None:
    """`make test` stops before pytest when the script fails (make -n prints the plan)."""
    plan = subprocess.run(["make", "-n", "test"], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=30).stdout
    assert "scripts/system-packages.sh" in plan
    assert plan.index("scripts/system-packages.sh") < plan.index("-m pytest")
    ci = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line for line in ci if line.strip() and not line.startswith("#")]
    assert commands == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make test"]
