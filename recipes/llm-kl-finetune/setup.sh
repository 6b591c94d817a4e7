#!/usr/bin/env bash
# Makes recipes/llm-kl-finetune/.venv (git-ignored) for train.py / predict.py on CPU:
# a venv of Debian's /usr/bin/python3 with --system-site-packages, so that it sees Debian's
# python3-torch 1.13 (CPU) and python3-numpy (scripts/install-deps.sh installs both), plus the
# pinned pure-Python/abi3 wheels of requirements-cpu.lock (transformers, peft, tokenizers, ...)
# installed with --no-deps, so pip never pulls a CUDA torch from PyPI.
# Idempotent: exits at once when the venv already imports the pinned versions (the lock's hash is
# stored in the venv). Needs PyPI for the first run only. About 135 MB and about a minute here (measured: 1m04s on the 2-core machine under load).
# The venv itself lives outside the checkout, in $SCHEDCAST_CACHE_DIR (default
# ${XDG_CACHE_HOME:-~/.cache}/schedcast)/llm-venv-<lock hash>, and .venv is a link to it: every clone
# on a machine (CI runs each on a fresh clone) shares one venv per lock instead of a minute's rebuild.
# A .venv that is a real directory (older layouts) is used as it is while it is ready.
#   setup.sh [--check]    (--check: only report whether the venv is ready; exit 1 if not)
#   setup.sh --serve      (also the extras of requirements-serve.lock for serve_tiny.sh: builds
#                          llama-cpp-python from source, which compiles llama.cpp; minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$here/.venv
lock=$here/requirements-cpu.lock
sys_py=${SCHEDCAST_SYSTEM_PYTHON:-/usr/bin/python3}
stamp=$venv/.lock-sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
shared=${SCHEDCAST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/schedcast}/llm-venv-${want:0:16}
# .venv → the shared venv of this lock (unless .venv is a real directory that is ready, see above).
if [ -L "$venv" ] || [ ! -e "$venv" ]; then ln -sfn "$shared" "$venv"; fi

ready() {
  [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] &&
    "$venv/bin/python" -c "import torch, transformers, peft, tokenizers" 2>/dev/null
}

serve() {
  local lock2=$here/requirements-serve.lock want2
  want2=$(sha256sum "$lock2" | cut -d' ' -f1)
  if [ "$(cat "$venv/.serve-sha256" 2>/dev/null)" = "$want2" ] &&
     "$venv/bin/python" -c "import llama_cpp.server, gguf" 2>/dev/null; then
    echo "llm-kl-finetune setup: serve extras ready"
    return 0
  fi
  # Only llama.cpp's CPU backend and library; CMAKE_BUILD_PARALLEL_LEVEL sets the build's jobs.
  CMAKE_ARGS="${CMAKE_ARGS:--DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF}" \
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir --no-deps -r "$lock2"
  "$venv/bin/python" -c "import llama_cpp, llama_cpp.server, gguf; print('llm-kl-finetune setup: llama-cpp-python', llama_cpp.__version__)"
  echo "$want2" > "$venv/.serve-sha256"
}

if ready; then
  echo "llm-kl-finetune setup: $venv ready"
  if [ "${1:-}" = "--serve" ]; then serve; fi
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "llm-kl-finetune setup: $venv missing or out of date (run $0)"
  exit 1
fi
if ! "$sys_py" -c "import torch, numpy" 2>/dev/null; then
  echo "llm-kl-finetune setup: $sys_py cannot import torch and numpy; install Debian's python3-torch" \
       "(scripts/install-deps.sh) or set SCHEDCAST_SYSTEM_PYTHON" >&2
  exit 1
fi
if [ -d "$venv" ] && [ ! -L "$venv" ]; then rm -rf "$venv"; ln -sfn "$shared" "$venv"; fi  # an older, stale layout
mkdir -p "$(dirname "$shared")"
rm -rf "$shared"
"$sys_py" -m venv --system-site-packages --without-pip "$shared"
# Debian's pip (python3-pip) runs inside the venv and installs into it.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir --no-deps -r "$lock"
"$venv/bin/python" - <<'PY'
import torch, transformers, peft, tokenizers, safetensors
assert torch.__file__.startswith("/usr/lib/python3/"), f"torch is not Debian's: {torch.__file__}"
assert not torch.version.cuda or torch.version.cuda == "", torch.version.cuda
print(f"llm-kl-finetune setup: torch {torch.__version__} (Debian, CPU), transformers {transformers.__version__}, "
      f"peft {peft.__version__}, tokenizers {tokenizers.__version__}, safetensors {safetensors.__version__}")
PY
echo "$want" > "$stamp"
du -sh "$shared" | sed 's/^/llm-kl-finetune setup: venv size /'
if [ "${1:-}" = "--serve" ]; then serve; fi
