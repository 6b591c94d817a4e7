#!/usr/bin/env bash
# The main job (README's first command): installs dependencies, builds schedcast, and runs
# `schedcast run corpus --out out` with the embedded defaults (SQLite store, CPU).
#   scripts/main.sh [extra args for `schedcast run`]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$(nproc)" schedcast
export GOTOOLCHAIN=local
exec build/src/cli/schedcast run corpus --out out "$@"
