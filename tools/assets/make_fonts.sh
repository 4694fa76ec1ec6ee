#!/bin/sh
# Make the GB2312 subsets of Noto Sans CJK SC (Regular + Bold) used by the kiosk UI.
# Re-runnable. Needs: Debian package fonts-noto-cjk, python3 with fonttools (pip install fonttools brotli).
# Usage: tools/assets/make_fonts.sh   (from anywhere; writes into <repo>/fonts/)
set -eu

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$REPO/fonts"
SRC_DIR=/usr/share/fonts/opentype/noto
CJK_COPYRIGHT=/usr/share/doc/fonts-noto-cjk/copyright
FONT_NUMBER=2   # index of "Noto Sans CJK SC" inside the .ttc collections (checked below)

mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# 1. Character list: every GB2312 character + printable ASCII + kiosk punctuation + fullwidth digits/letters.
python3 - "$TMP/chars.txt" <<'PY'
import sys
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars.update(chr(c) for c in range(0x20, 0x7F))                       # printable ASCII
chars.update("￥¥×−–—…·、。，：；！？（）《》“”‘’【】\u00A0")           # prices, quantities, punctuation
chars.update(chr(c) for c in range(0xFF10, 0xFF1A))                   # ０-９
chars.update(chr(c) for c in range(0xFF21, 0xFF3B))                   # Ａ-Ｚ
chars.update(chr(c) for c in range(0xFF41, 0xFF5B))                   # ａ-ｚ
text = "".join(sorted(chars))
open(sys.argv[1], "w", encoding="utf-8").write(text)
print(f"{len(text)} characters in the subset list", file=sys.stderr)
PY

# 2. Subset Regular and Bold.
for STYLE in Regular Bold; do
    SRC="$SRC_DIR/NotoSansCJK-$STYLE.ttc"
    DST="$OUT/NotoSansSC-$STYLE.otf"
    # make sure font number $FONT_NUMBER really is the Simplified Chinese face
    python3 - "$SRC" "$FONT_NUMBER" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1], fontNumber=int(sys.argv[2]), lazy=True)
fam = f["name"].getDebugName(1)
if fam != "Noto Sans CJK SC":
    sys.exit(f"font number {sys.argv[2]} of {sys.argv[1]} is {fam!r}, not 'Noto Sans CJK SC'")
PY
    pyftsubset "$SRC" --font-number="$FONT_NUMBER" \
        --text-file="$TMP/chars.txt" \
        --layout-features='kern,palt' \
        --name-IDs='*' \
        --output-file="$DST"
    echo "wrote $DST ($(wc -c < "$DST") bytes)"
done

# 3. Licence: the font's copyright line + the SIL OFL 1.1 text from the Debian copyright file.
{
    python3 -c "
from fontTools.ttLib import TTFont
print('Noto Sans CJK SC (subset as fonts/NotoSansSC-Regular.otf and fonts/NotoSansSC-Bold.otf)')
print(TTFont('$OUT/NotoSansSC-Regular.otf')['name'].getDebugName(0))
print('Noto is a trademark of Google Inc.')
print()"
    # the block between "License: SIL-1.1" and the next "License:" stanza, de-indented
    # (the stand-alone stanza follows a blank line; the "Files:" stanza also has a "License: SIL-1.1" line)
    awk 'prev=="" && /^License: SIL-1.1$/{on=1; prev=$0; next} on && /^License:/{on=0} on; {prev=$0}' "$CJK_COPYRIGHT" \
        | sed -e 's/^ //' -e 's/^\.$//'
} > "$OUT/OFL.txt"
echo "wrote $OUT/OFL.txt"
