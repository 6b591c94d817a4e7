#!/usr/bin/env bash
# Installs the Debian packages named by realworld/MANIFEST.json (their Go sources land under
# /usr/share/gocode/src). Debian packages only; idempotent (apt-get skips what is installed).
#   scripts/install-realworld.sh [MANIFEST]
set -euo pipefail
manifest=${1:-$(dirname "$0")/../realworld/MANIFEST.json}
mapfile -t pkgs < <(python3 -c 'import json,sys; print("\n".join(sorted({p["debian"] for p in json.load(open(sys.argv[1]))["packages"]})))' "$manifest")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-realworld: all ${#pkgs[@]} packages installed"
  exit 0
fi
sudo=""
[[ $(id -u) -eq 0 ]] || sudo=sudo
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
