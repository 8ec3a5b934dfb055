#!/usr/bin/env bash
# `make bench-redirect`: the short-link redirect benchmark, runnable from a fresh clone.
# Installs nginx and wrk when they are missing (as root, with apt-get), makes the virtualenv when there is
# none, then runs bench.py. The last line printed is always the `BENCH redirect …` summary.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON="${PYTHON:-.venv/bin/python}"

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        packages=()
        for tool in "${missing[@]}"; do
            case "$tool" in
                nginx) packages+=(nginx-light) ;;
                *) packages+=("$tool") ;;
            esac
        done
        echo "installing ${packages[*]} …"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # nginx-light is Debian's small build; distributions without it ship plain nginx.
        apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
            || apt-get install -y -qq --no-install-recommends "${packages[@]/nginx-light/nginx}" >/dev/null
    else
        echo "missing: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install -y nginx-light wrk) or run as root."
        echo "BENCH redirect rps=0 nginx_rps=0 ratio_to_nginx=0 p99_ms=0 lost=-1"
        exit 2
    fi
fi

if [ ! -x "$PYTHON" ]; then
    echo "creating .venv …"
    python3 -m venv .venv
    .venv/bin/pip install -q -e .
    PYTHON=.venv/bin/python
fi

exec "$PYTHON" bench/redirect/bench.py "$@"
