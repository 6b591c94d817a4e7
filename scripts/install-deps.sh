#!/usr/bin/env bash
# Installs everything schedcast needs to build, test and run on Debian 12 (bookworm).
# Idempotent; fast (no apt calls) when everything is already installed.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang llvm lld libclang-rt-14-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libsqlite3-dev sqlite3 libzstd-dev zstd libabsl-dev libcli11-dev nlohmann-json3-dev
  golang-go golang-1.21-go golang-1.22-go golang-1.23-go
  chromium libpng-dev
  procps psmisc time ccache
  libcurl4-openssl-dev python3 python3-torch python3-venv python3-pip
  libtorch-dev libopenblas0-openmp
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The LLM recipe's CPU venv (Debian's torch + pinned transformers/peft from PyPI; fast when present).
llm_venv() {
  bash "$(dirname "$0")/../recipes/llm-kl-finetune/setup.sh" ||
    echo "install-deps: recipes/llm-kl-finetune/setup.sh failed; the LlmRecipeSmoke test will fail" >&2
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  # golang-1.21/1.22/1.23 come from bookworm-backports.
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Newer Go toolchains (see README, "Go versions"): the go command fetches them from the Go module
# proxy into the module cache (~/go/pkg/mod/golang.org/toolchain@...), where schedcast and
# tests/traceprogs/gen.sh find them. Without the proxy only Debian's versions are there.
here=$(cd "$(dirname "$0")" && pwd)
unavailable=()
for v in 1.24 1.25 1.26 1.27; do
  "$here/gobin.sh" --no-fetch "$v" >/dev/null 2>&1 && continue
  if [ ${#unavailable[@]} -eq 0 ] && "$here/gobin.sh" "$v" >/dev/null 2>&1; then
    echo "install-deps: fetched Go $v through the module proxy"
  else
    unavailable+=("$v")
  fi
done
if [ ${#unavailable[@]} -gt 0 ]; then
  echo "install-deps: Go ${unavailable[*]} not available (no module proxy?); using the installed versions: $("$here/gobin.sh" --list | tr '\n' ' ')"
fi
echo "install-deps: done"
llm_venv
