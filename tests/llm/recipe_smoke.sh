#!/usr/bin/env bash
# ctest LlmRecipeSmoke: recipes/llm-kl-finetune/run_tiny.sh (export → train --tiny → predict → eval,
# and the check that the training KL fell) on the corpus dataset fixture, with the stand-ins of
# tests/llm/recipe_standins in place of transformers/peft/tokenizers. It checks the recipe's own
# control flow only, not the real libraries (see recipe_standins/README.md). Exit 77 (skip) without torch.
#   recipe_smoke.sh SCHEDCAST_BIN DATASET_DIR SOURCE_DIR PYTHON
set -euo pipefail
bin=$1 data=$2 src=$3 py=$4
"$py" -c "import torch" 2>/dev/null || { echo "torch is not importable by $py: skipping"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
LIMIT=120 MAXLEN=192 EPOCHS=3 PYTHONPATH="$src/tests/llm/recipe_standins" \
  "$src/recipes/llm-kl-finetune/run_tiny.sh" "$bin" "$data" "$out" "$py"
test "$(wc -l < "$out/preds.jsonl")" -eq 120
"$py" - "$out/eval.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
row = [m for m in e["models"] if m["name"] == "tiny-qwen2-kl"][0]
assert row["coverage"]["covered"] == 120, row["coverage"]
print("eval scored", row["coverage"])
PY
