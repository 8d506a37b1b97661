#!/usr/bin/env bash
# Set up everything the workbench needs on a fresh machine, idempotently:
# uv, the Python dependencies from the lock, Debian packages, a running Docker engine,
# and the stand-in base images.  `setup.sh test` also installs what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"
export PATH="$HOME/.local/bin:$PATH"

say() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v uv >/dev/null 2>&1; then
    say "installing uv"
    python3 -m pip install --quiet --user uv
fi

packages=(docker.io debootstrap iptables docker-registry)
if [ "$purpose" = test ]; then
    packages+=(chromium procps iproute2)  # iproute2: the remote-engine test's own bridge
fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        say "missing Debian packages (install them as root): ${missing[*]}"
    fi
fi

say "syncing Python dependencies from uv.lock"
# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (as on these machines)
# Python would otherwise recompile every module on every `workbench` command (~0.45 s).
uv sync --frozen --quiet --compile-bytecode
uv run --frozen python -m compileall -q -j 0 workbench app_pages ui streamlit_app.py >/dev/null

uv run --frozen workbench engine ensure
uv run --frozen workbench bootstrap
