#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then opens QuantScope on FILE, or on a built-in demo
# tensor when no file is given. Arguments are passed to the app (see `quantscope --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
args=("$@")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # No display (e.g. a server): run under a virtual X server.
  exec xvfb-run -a build/bin/quantscope "${args[@]}"
fi
exec build/bin/quantscope "${args[@]}"
