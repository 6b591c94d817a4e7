#!/usr/bin/env bash
# Program facts × objective × key (docs/BENCHMARKS.md, issue 18): for each key (prefix, state) one
# dataset from STORE with the corpus manifest's splits; structured and neural, KL and CE, facts
# none and all, trained on it (no temperature: the objectives' own calibration) and evaluated
# together on the test split; then one table row per model (macro first).
#   [KEYS="prefix state"] [MODELS="structured neural"] [EPOCHS=4] [NEURAL_FLAGS=...]
#   bench/facts_kl_ce.sh SCHEDCAST STORE OUT
# STORE must hold source indexes (see bench/ablate_facts.sh).
set -euo pipefail
bin=$1 store=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
for key in ${KEYS:-prefix state}; do
  ds=$out/$key/ds
  [ -f "$ds/meta.json" ] || "$bin" dataset build --store "$store" --out "$ds" --manifest "$root/corpus/MANIFEST.json" --key "$key"
  models=()
  for kind in ${MODELS:-structured neural}; do
    extra=()
    [ "$kind" = neural ] && extra=(--threads 1 --device cpu ${NEURAL_FLAGS:-})
    for obj in kl ce; do
      for facts in none all; do
        m=$out/$key/$kind-$obj-$facts.json
        [ -f "$m" ] || /usr/bin/time -f "$kind $obj $facts ($key): %e s, %M KB" \
          "$bin" train --data "$ds" --model "$kind" --objective "$obj" --facts "$facts" --epochs "${EPOCHS:-4}" \
          "${extra[@]}" --out "$m"
        models+=(--model "$m")
      done
    done
  done
  "$bin" eval --data "$ds" --split test --bootstrap 0 "${models[@]}" --json "$out/$key/eval.json" > "$out/$key/eval.txt"
done
python3 - "$out" ${KEYS:-prefix state} <<'PY'
import json, sys
out = sys.argv[1]
print("| key | model | objective | facts | macro acc | macro ECE | macro NLL | macro KL | pooled acc | pooled ECE |")
print("|---|---|---|---|---|---|---|---|---|---|")
for key in sys.argv[2:]:
    d = json.load(open(f"{out}/{key}/eval.json"))
    for m in d["models"]:
        kind, obj, facts = m["name"].rsplit("-", 2) if m["name"].count("-") >= 2 else (m["name"], "", "")
        M, O = m["macro"], m["overall"]
        print(f"| {key} | {kind} | {obj} | {facts} | {M['accuracy']['value']:.4f} | {M['ece']['value']:.4f} | "
              f"{M['nll']['value']:.4f} | {M['kl']['value']:.4f} | {O['accuracy']['value']:.4f} | {O['ece']['value']:.4f} |")
PY
