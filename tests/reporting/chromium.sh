#!/usr/bin/env bash
# The board pack's HTML in headless Chromium (Debian's package): it renders without a single
# console message (the page has no script, and its Content-Security-Policy turns any attempt to
# load an external resource into a console error), its screenshot is not blank, its DOM holds
# the summary tiles and the charts, and printed it runs to a page per section.
# The pack is the hand-worked one of test_pack.c (run with --keep). Skipped (77) without
# /usr/bin/chromium; deploy/deps installs it.
set -euo pipefail
pack_test=$1
chromium=${JOURNEY_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "reporting.chromium: $chromium not installed: skipped"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0
check () {
    checks=$((checks + 1))
    if ! eval "$2"; then
        failures=$((failures + 1))
        echo "FAIL: $1" >&2
    fi
}

"$pack_test" --keep "$tmp/pack" >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log" >&2; exit 1; }
html=$tmp/pack/board-pack-872-2025-01-01-to-2025-03-31.html
[ -f "$html" ] || { echo "FAIL: no pack at $html" >&2; exit 1; }

# A fresh profile each time, and nothing that reaches the network.
browse () {
    local profile
    profile=$(mktemp -d "$tmp/profile.XXXX")
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@" "file://$html"
}

browse --screenshot="$tmp/shot.png" --window-size=1280,2000 >"$tmp/shot.out" 2>"$tmp/shot.err"
check "screenshot written" '[ -s "$tmp/shot.png" ]'
check "no console message: $(grep -m3 CONSOLE "$tmp/shot.err" || true)" \
    '! grep -q "CONSOLE" "$tmp/shot.err"'

# Decode the PNG (zlib and the PNG filters, no imaging package) and count the colours of its
# top 600 rows (the cover and the summary tiles: a row depends only on the rows above it, so
# the rest need not be decoded).
colours=$(python3 - "$tmp/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    length, = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
    pos += 12 + length
    if kind == b"IHDR":
        width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
bpp = 3 if colour_type == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
previous, colours, at = bytearray(stride), set(), 0
for _ in range(min(height, 600)):
    kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
    at += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = previous[x], previous[x - bpp] if x >= bpp else 0
        if kind == 1: line[x] = (line[x] + a) & 255
        elif kind == 2: line[x] = (line[x] + b) & 255
        elif kind == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 4):   # every fourth pixel is plenty
        colours.add(bytes(line[x:x + 3]))
    previous = line
print(len(colours))
PY
)
check "screenshot not blank ($colours colours)" '[ "$colours" -gt 20 ]'

browse --dump-dom >"$tmp/dom.html" 2>"$tmp/dom.err"
check "DOM: summary tiles" '[ "$(grep -o "class=\"tile " "$tmp/dom.html" | wc -l)" -ge 10 ]'
check "DOM: charts" '[ "$(grep -o "<svg class=\"chart\"" "$tmp/dom.html" | wc -l)" -ge 20 ]'
check "DOM: appendix" 'grep -q "id=\"appendix\"" "$tmp/dom.html"'
check "DOM: no console message" '! grep -q "CONSOLE" "$tmp/dom.err"'

browse --no-pdf-header-footer --print-to-pdf="$tmp/pack.pdf" >/dev/null 2>"$tmp/pdf.err"
pages=$(grep -a -o "/Count [0-9]*" "$tmp/pack.pdf" 2>/dev/null | awk '{ if ($2 > max) max = $2 } END { print max + 0 }')
check "printed: a page per section at least ($pages pages)" '[ "$pages" -ge 12 ]'

echo "reporting.chromium: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
