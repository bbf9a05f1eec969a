#!/usr/bin/env bash
# The system programs the test suite drives, installed when missing:
#   Chromium  /usr/bin/chromium  real-browser tests (Playwright drives the system Chromium)
#   nginx     /usr/sbin/nginx    tests of deploy/nginx.conf as a reverse proxy
#   Redis     /usr/bin/redis-server  the class poll's shared room store (tests, benchmark)
#   Node.js   node and npm       axe-core and Lighthouse (package.json), run in Chromium
#   OpenSSL   /usr/bin/openssl   a throwaway certificate for the tests of nginx's HTTPS port
# As root: `apt-get update`, then `apt-get install -y` of the missing ones. Otherwise through
# `sudo -n` when that works without a password. Otherwise it stops (exit 1) with the command
# to run, so that `make test` never starts pytest without them: the browser and proxy tests
# would only fail, one by one.
#
# Run by `make test` (and so by .ci/run). Debian/Ubuntu only (apt-get).
# CONVKIT_CHROMIUM: another Chromium binary to drive (the tests honour it too).
# CONVKIT_SYSROOT: look for the programs under this directory instead of / (for the tests of
# this script, which simulate a machine without them).
set -euo pipefail

sysroot="${CONVKIT_SYSROOT:-}"
chromium="${CONVKIT_CHROMIUM:-/usr/bin/chromium}"

packages=()
uses=()
if [[ ! -x "$sysroot$chromium" ]]; then
    packages+=(chromium)
    uses+=("Chromium ($chromium) for the real-browser tests")
fi
if [[ ! -x "$sysroot/usr/sbin/nginx" ]]; then
    packages+=(nginx)
    uses+=("nginx (/usr/sbin/nginx) for the reverse-proxy tests")
fi
if [[ ! -x "$sysroot/usr/bin/redis-server" ]]; then
    packages+=(redis-server)
    uses+=("Redis (/usr/bin/redis-server) for the class poll's tests")
fi
if [[ ! -x "$sysroot/usr/bin/openssl" ]]; then
    packages+=(openssl)
    uses+=("OpenSSL (/usr/bin/openssl) for the HTTPS proxy tests")
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
    uses+=("Node.js (node, npm) for axe-core and Lighthouse")
fi
((${#packages[@]})) || exit 0

what="${uses[0]}"
for use in "${uses[@]:1}"; do what+=" and $use"; done
command_line="apt-get update && apt-get install -y ${packages[*]}"

if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    {
        echo "make test stops before the tests: missing $what."
        echo "Install as root (no password-less sudo here), then run make test again:"
        echo "    sudo sh -c '$command_line'"
    } >&2
    exit 1
fi

echo "== installing ${packages[*]} with apt-get${as_root:+ (through sudo -n)}: $what"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"

# A package can install and still leave the program elsewhere (another distribution's name).
for program in "$chromium" /usr/sbin/nginx /usr/bin/redis-server /usr/bin/openssl; do
    if [[ ! -x "$sysroot$program" ]]; then
        echo "apt-get installed ${packages[*]}, but $sysroot$program is still missing." >&2
        exit 1
    fi
done
