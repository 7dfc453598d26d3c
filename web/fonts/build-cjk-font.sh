#!/usr/bin/env bash
# Rebuilds the map's self-hosted CJK font: Noto Sans CJK SC (SIL OFL 1.1) subset to the characters
# of the files listed in sources.txt, as WOFF2.
#
#   web/fonts/build-cjk-font.sh [NotoSansCJK-Regular.ttc]
#
# Without an argument it takes the font from Debian's fonts-noto-cjk package (unpacked into a
# temporary directory with 'apt-get download', so nothing is installed system-wide). Needs
# fontTools (python3-fonttools) and brotli (python3-brotli). Output, beside its licence:
#   web/src/main/resources/META-INF/resources/fonts/NotoSansSC-SafeGrid.woff2
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/web/src/main/resources/META-INF/resources/fonts"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# a Python with fontTools and brotli (Debian's python3-fonttools, python3-brotli)
PY="${PYTHON:-}"
for p in python3 /usr/bin/python3; do
  [ -z "$PY" ] && "$p" -c 'import fontTools, brotli' 2>/dev/null && PY="$p"
done
[ -n "$PY" ] || { echo "no python3 with fontTools and brotli: apt-get install python3-fonttools python3-brotli" >&2; exit 1; }

SRC="${1:-}"
if [ -z "$SRC" ]; then
  (cd "$TMP" && apt-get download fonts-noto-cjk >/dev/null && dpkg -x fonts-noto-cjk_*.deb pkg)
  SRC="$TMP/pkg/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
fi

# the face of the collection whose family is "Noto Sans CJK SC"
INDEX="$("$PY" - "$SRC" <<'PY'
import sys
from fontTools.ttLib import TTCollection
for i, f in enumerate(TTCollection(sys.argv[1]).fonts):
    if f["name"].getDebugName(1) == "Noto Sans CJK SC":
        print(i); break
else:
    sys.exit("no Noto Sans CJK SC face in " + sys.argv[1])
PY
)"

# every character of the listed files, plus printable ASCII
"$PY" - "$ROOT" "$ROOT/web/fonts/sources.txt" > "$TMP/chars.txt" <<'PY'
import sys, pathlib
root = pathlib.Path(sys.argv[1])
chars = {chr(c) for c in range(0x20, 0x7f)}
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    files = sorted(p for p in (root / line[:-3]).rglob("*") if p.is_file()) if line.endswith("/**") else [root / line]
    for p in files:
        if p.suffix in (".woff2", ".png", ".ico") or p.name == "OFL.txt":
            continue
        chars.update(c for c in p.read_text(encoding="utf-8") if ord(c) >= 0x20)
print("".join(sorted(chars)))
PY

mkdir -p "$OUT"
"$PY" -m fontTools.subset "$SRC" --font-number="$INDEX" --text-file="$TMP/chars.txt" --flavor=woff2 --no-hinting \
  --layout-features='kern,vert,vrt2,locl,palt,halt' --output-file="$OUT/NotoSansSC-SafeGrid.woff2"
# the licence beside the font: the face's own copyright notice, then the OFL text as Debian ships it
COPYRIGHT="$(dirname "$SRC")/../../../doc/fonts-noto-cjk/copyright"
{
  "$PY" -c 'import sys; from fontTools.ttLib import TTCollection; n = TTCollection(sys.argv[1]).fonts[int(sys.argv[2])]["name"]; print(n.getDebugName(0)); print(n.getDebugName(5))' "$SRC" "$INDEX"
  echo
  awk '/SIL OPEN FONT LICENSE Version 1.1/ {on = 1} on && /^License: / {exit} on' "$COPYRIGHT" | sed 's/^ //; s/^\.$//'
} > "$TMP/OFL.txt"
grep -q "SIL OPEN FONT LICENSE" "$TMP/OFL.txt" || { echo "no OFL text found in $COPYRIGHT" >&2; exit 1; }
cp "$TMP/OFL.txt" "$OUT/OFL.txt"
{
  echo "NotoSansSC-SafeGrid.woff2: Noto Sans CJK SC Regular (https://github.com/googlefonts/noto-cjk),"
  echo "from Debian's fonts-noto-cjk package ($(basename "$SRC"), face $INDEX), subset to the characters of"
  echo "the files listed in web/fonts/sources.txt by web/fonts/build-cjk-font.sh. Licence: OFL.txt."
} > "$OUT/SOURCE.txt"
echo "$(wc -c < "$OUT/NotoSansSC-SafeGrid.woff2") bytes, $("$PY" -c 'import sys; print(len(open(sys.argv[1], encoding="utf-8").read().strip()))' "$TMP/chars.txt") characters -> $OUT/NotoSansSC-SafeGrid.woff2"
