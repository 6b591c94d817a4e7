#!/usr/bin/env bash
# The served-model path against a real OpenAI-compatible server: a run_tiny.sh run (the tiny Qwen2
# + its KL LoRA adapter, merged) is written as GGUF (export_gguf.py) and served by llama-cpp-python's
# server (`python -m llama_cpp.server`, llama.cpp on the CPU) on 127.0.0.1; `schedcast llm predict`
# asks it for the top-20 log-probabilities of the answer token of every test example (with its disk
# cache), a second `llm predict` must be answered from the cache alone, predict.py computes the same
# model's exact letter distribution for comparison, and `schedcast eval` scores both files.
# Needs the serve extras of the venv (setup.sh --serve: builds llama-cpp-python from source).
#   serve_tiny.sh SCHEDCAST_BIN DATASET_DIR TINY_OUT_DIR [PYTHON]
# TINY_OUT_DIR is run_tiny.sh's OUT_DIR (it reads run/ and test.jsonl; writes served/ there).
# Environment: PORT (default 18765), CTX (server context tokens; default 8192), COMPARE=1 (also predict.py's
# exact distribution over the whole prompts and the distance to the served one: slow on a CPU, >5 min).
set -euo pipefail
bin=$1 data=$2 tiny=$3 py=${4:-python3}
port=${PORT:-18765} ctx=${CTX:-8192}
here=$(cd "$(dirname "$0")" && pwd)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
out=$tiny/served
rm -rf "$out"
mkdir -p "$out"
"$py" "$here/export_gguf.py" --run "$tiny/run" --out "$out/tiny-qwen2-kl.gguf"
"$py" -m llama_cpp.server --model "$out/tiny-qwen2-kl.gguf" --model_alias tiny-qwen2-kl \
  --host 127.0.0.1 --port "$port" --n_ctx "$ctx" --logits_all true --n_threads 2 > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/v1/models" > "$out/models.json" && break
  kill -0 "$server" 2>/dev/null || { cat "$out/server.log" >&2; echo "serve_tiny: the server exited" >&2; exit 1; }
  sleep 1
done
grep -q tiny-qwen2-kl "$out/models.json" || { echo "serve_tiny: server not up on port $port" >&2; exit 1; }
start=$(date +%s)
"$bin" llm predict --data "$data" --split test --endpoint "http://127.0.0.1:$port" --model tiny-qwen2-kl \
  --cache "$out/cache" --concurrency 2 --timeout 300 --out "$out/served.jsonl" | tee "$out/predict1.txt"
echo "serve_tiny: first llm predict took $(( $(date +%s) - start )) s"
"$bin" llm predict --data "$data" --split test --endpoint "http://127.0.0.1:$port" --model tiny-qwen2-kl \
  --cache "$out/cache" --out "$out/served2.jsonl" | tee "$out/predict2.txt"
grep -q "requests=0 " "$out/predict2.txt" || { echo "serve_tiny: the second run was not answered from the cache" >&2; exit 1; }
cmp "$out/served.jsonl" "$out/served2.jsonl"
if [ "${COMPARE:-0}" != 1 ]; then
  "$bin" eval --data "$data" --predictions "$out/served.jsonl" --name served-tiny-kl --bootstrap 0 --json "$out/eval.json"
  exit 0
fi
# The same merged model's exact letter distribution over the whole prompt (no truncation).
"$py" "$here/predict.py" --run "$tiny/run" --data "$tiny/test.jsonl" --out "$out/exact.jsonl" --max-length "$ctx" \
  --batch-size 2
"$bin" eval --data "$data" --predictions "$out/served.jsonl" --name served-tiny-kl \
  --predictions "$out/exact.jsonl" --name exact-tiny-kl --bootstrap 0 --json "$out/eval.json"
"$py" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
key = lambda r: (r["program"], r["config"], r["run_id"], r["position"])
served = {key(r): r["probs"] for r in map(json.loads, open(f"{out}/served.jsonl"))}
exact = {key(r): r["probs"] for r in map(json.loads, open(f"{out}/exact.jsonl"))}
assert served.keys() == exact.keys(), (len(served), len(exact))
tv, agree = [], 0
for k, p in served.items():
    q = exact[k]
    assert sorted(p) == sorted(q) and abs(sum(p.values()) - 1) < 1e-6, k
    tv.append(0.5 * sum(abs(p[l] - q[l]) for l in p))
    agree += max(p, key=p.get) == max(q, key=q.get)
tv.sort()
print(f"served vs exact over {len(tv)} test examples: mean total variation {sum(tv) / len(tv):.4f}, "
      f"median {tv[len(tv) // 2]:.4f}, max {tv[-1]:.4f}; same argmax {agree / len(tv):.4f}")
PY
