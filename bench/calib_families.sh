#!/usr/bin/env bash
# Calibration on program families that training never saw (issue 18 item 3): leave-one-folder-out
# over a corpus dataset, before (BASE temperature-scaled on the in-family validation split, today's
# practice) vs after (`--model calibrated --base BASE`: backoff + temperature fitted on families held
# out of training, model/calibrated.h).
#   bench/calib_families.sh BUILD_DIR DATASET_DIR [BASE=structured] [FOLDERS="bugs chans …"]
# DATASET_DIR: `schedcast dataset build --manifest corpus/MANIFEST.json` (manifest splits). For each
# corpus folder F (the first path element below schedcast.dev/corpus/): models trained on the
# train/validation programs of every other folder ("ho-*") and on all of them ("in-*") are evaluated
# on the test-split programs of F, in one `schedcast eval` call per folder (rows = file stems).
# F's test programs are of packages the "in" models trained on, so in-calibrated gives them the
# base's own validation-split calibration (calibrated.h, familiar packages); ho-calibrated, the
# family-held-out mixture.
# Env: JOBS folders at a time (2), CAL_FLAGS extra flags for the calibrated training (e.g. "--folds 3"),
# WORK the work directory. Prints per-folder macro (every program weighs 1) accuracy and ECE, then pooled; the "in" rows on
# all folders together are the corpus test split. Work files stay in $WORK (default a temp dir).
set -euo pipefail
build=${1:?usage: bench/calib_families.sh BUILD_DIR DATASET_DIR [BASE] [FOLDERS]}
data=${2:?usage: bench/calib_families.sh BUILD_DIR DATASET_DIR [BASE] [FOLDERS]}
base=${3:-structured}
prefix='schedcast.dev/corpus/'
folders=${4:-$(sed -n 's/.*"program":"schedcast\.dev\/corpus\/\([A-Za-z0-9_-]*\)[./].*/\1/p' "$data/test.jsonl" | sort -u | tr '\n' ' ')}
bin=$build/src/cli/schedcast
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
echo "data: $data; base: $base; folders: $folders; work: $work"

train_pair() {  # DIR OUTPREFIX: BASE with --temperature, and calibrated over BASE
  local d=$1 out=$2
  /usr/bin/time -f "%e" -o "$out-before.time" "$bin" train --data "$d" --model "$base" --temperature \
    --out "$out-$base.json" >/dev/null 2>"$out-before.log"
  /usr/bin/time -f "%e" -o "$out-after.time" "$bin" train --data "$d" --model calibrated --base "$base" ${CAL_FLAGS:-} \
    --out "$out-calibrated.json" >/dev/null 2>"$out-after.log"
  echo "  trained $(basename "$out"): $base $(cat "$out-before.time") s, calibrated $(cat "$out-after.time") s;" \
    "$(grep -h 'held-out loss' "$out-after.log" | sed 's/^calibrated: //')"
}

echo "== in family: trained on the corpus train split"
mkdir -p "$work/in"
train_pair "$data" "$work/in/in"

row() {  # EVALJSON FILESTEM → "acc ece pooled_acc pooled_ece" of the row of model file FILESTEM.json
  jq -r --arg n "$2" '.models[] | select((.file // "") | endswith("/" + $n + ".json")) |
    "\(.macro.accuracy.value) \(.macro.ece.value) \(.overall.accuracy.value) \(.overall.ece.value)"' "$1"
}

header=$(printf '%-9s %5s %7s | %-27s | %-27s | %-27s | %-27s' folder progs examples \
  "in $base acc / ECE" "in calibrated acc / ECE" "held-out $base acc / ECE" "held-out calibrated acc / ECE")
one_folder() {  # F: held-out datasets, training, one eval; its table row in $work/F/row.txt
  local f=$1 d=$work/$1 pat n progs
  mkdir -p "$d"
  pat="\"program\":\"${prefix//./\\.}$f[./]"
  for s in train validation; do grep -v "$pat" "$data/$s.jsonl" >"$d/$s.jsonl" || true; done
  grep "$pat" "$data/test.jsonl" >"$d/test.jsonl" || true
  cp "$data/programs.json" "$data/meta.json" "$d/"
  n=$(wc -l <"$d/test.jsonl")
  [ "$n" -gt 0 ] || return 0
  echo "== held out: $f ($n test examples; trained on $(wc -l <"$d/train.jsonl") examples of the other folders)"
  train_pair "$d" "$d/ho"
  "$bin" eval --data "$d" --model "$work/in/in-$base.json" --model "$work/in/in-calibrated.json" \
    --model "$d/ho-$base.json" --model "$d/ho-calibrated.json" --bootstrap 0 --json "$d/eval.json" >/dev/null 2>&1
  progs=$(jq '.models[0].macro.programs // .models[0].programs // 0' "$d/eval.json")
  printf '%-9s %5s %7s | %-27s | %-27s | %-27s | %-27s\n' "$f" "$progs" "$n" \
    "$(row "$d/eval.json" "in-$base")" "$(row "$d/eval.json" "in-calibrated")" \
    "$(row "$d/eval.json" "ho-$base")" "$(row "$d/eval.json" "ho-calibrated")" >"$d/row.txt"
}
# JOBS folders at a time (default 2).
running=0
for f in $folders; do
  one_folder "$f" &
  running=$((running + 1))
  if [ "$running" -ge "${JOBS:-2}" ]; then wait -n; running=$((running - 1)); fi
done
wait
{ echo "$header"; for f in $folders; do cat "$work/$f/row.txt" 2>/dev/null || true; done; } >"$work/table.txt"
echo "== corpus test split (in family)"
"$bin" eval --data "$data" --model "$work/in/in-$base.json" --model "$work/in/in-calibrated.json" --bootstrap 0 \
  --json "$work/in/eval.json" >/dev/null 2>&1
printf '%-9s %5s %7s | %-27s | %-27s\n' all "$(jq '.models[0].macro.programs // 0' "$work/in/eval.json")" \
  "$(wc -l <"$data/test.jsonl")" "$(row "$work/in/eval.json" "in-$base")" "$(row "$work/in/eval.json" "in-calibrated")" \
  >>"$work/table.txt"
echo "(each cell: macro accuracy, macro ECE, pooled accuracy, pooled ECE)"
cat "$work/table.txt"
