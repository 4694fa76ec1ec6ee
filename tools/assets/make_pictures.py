#!/usr/bin/env python3
"""Make the product and category pictures for the Warm Market kiosk from Noto Color Emoji.

Reads assets/catalog.toml, looks every product/category id up in the MAPPING tables below and writes
assets/pictures/<product id>.png and assets/pictures/cat_<category id>.png: 256x256, opaque warm
background, the emoji centred at about 200 px. Products that would share an emoji get a small
second emoji in a white "badge" circle in the bottom-right corner (e.g. peanut oil = olive + peanut).

The emoji bitmaps come from the CBDT table of /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
(Debian package fonts-noto-color-emoji; SIL OFL 1.1, see assets/LICENSES.md). No network.
Needs: python3 >= 3.11, fonttools, pillow.   Re-runnable; output is deterministic.
Usage: python3 tools/assets/make_pictures.py [catalog.toml] [out_dir]
"""
import io
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
EMOJI_COPYRIGHT = "/usr/share/doc/fonts-noto-color-emoji/copyright"   # holds the OFL 1.1 text
SIZE = 256                 # picture side, px
MAIN_PX = 200              # longest side of the main emoji
BG = (0xFF, 0xF8, 0xEC)    # light warm background (#FFF8EC)
BADGE_D = 108              # badge circle diameter
BADGE_PX = 78              # badge emoji size
BADGE_RING = (0xE0, 0xB8, 0x80)

# product id -> emoji, or (main emoji, badge emoji)
PRODUCTS = {
    # grain_oil
    "rice-5kg": "🍚",
    "flour-2500g": "🌾",
    "noodles-1kg": "🍝",
    "instant-noodles-5": "🍜",
    "oatmeal-1kg": "🥣",
    "dumplings-1kg": "🥟",
    "oil-peanut-5l": ("🫒", "🥜"),
    "oil-soybean-5l": ("🫒", "🫘"),
    "oil-rapeseed-5l": ("🫒", "🌼"),
    # eggs_dairy
    "eggs-30": "🥚",
    "eggs-free-range-10": ("🥚", "🐔"),
    "salted-duck-eggs-6": ("🥚", "🦆"),
    "milk-uht-12": "🥛",
    "milk-fresh-950ml": ("🥛", "🐮"),
    "yogurt-8": ("🥛", "🍓"),
    "milk-powder-800g": ("🥫", "🥛"),
    # seasoning
    "salt-400g": "🧂",
    "soy-sauce-500ml": "🫗",
    "vinegar-500ml": "🍶",
    "sugar-500g": "🍬",
    "chicken-essence-200g": ("🐔", "🧂"),
    "oyster-sauce-700g": "🦪",
    "chili-sauce-280g": ("🫙", "🌶"),
    # produce
    "bok-choy-500g": "🥬",
    "potato-1kg": "🥔",
    "carrot-500g": "🥕",
    "tomato-500g": "🍅",
    "cucumber-500g": "🥒",
    "onion-1kg": "🧅",
    "broccoli": "🥦",
    "eggplant-500g": "🍆",
    "green-pepper-500g": "🫑",
    "corn-2": "🌽",
    "garlic-250g": "🧄",
    "ginger-250g": "🫚",
    "apple-1kg": "🍎",
    "banana-1kg": "🍌",
    "orange-1kg": "🍊",
    "pear-1kg": "🍐",
    # epidemic
    "mask-medical-50": "😷",
    "mask-kn95-10": ("😷", "🛡"),
    "wipes-80": ("🧻", "🦠"),
    "alcohol-500ml": ("🧴", "🦠"),
    "bleach-84-1kg": ("🪣", "🦠"),
    "antigen-test-5": "🧪",
    "thermometer": "🌡",
    "gloves-100": "🧤",
    # daily
    "toilet-paper-10": "🧻",
    "tissues-3": "🤧",
    "soap-2": "🧼",
    "hand-wash-500ml": ("🧴", "👐"),
    "laundry-liquid-2kg": ("🧺", "🫧"),
    "dish-soap-1kg": ("🍽", "🫧"),
    "toothpaste-120g": "🪥",
    "trash-bags-100": "🗑",
    "batteries-aa-4": "🔋",
}

# category id -> two emoji drawn side by side (overlapping)
CATEGORIES = {
    "grain_oil": ("🍚", "🫒"),
    "eggs_dairy": ("🥚", "🥛"),
    "seasoning": ("🧂", "🫗"),
    "produce": ("🥬", "🍎"),
    "epidemic": ("😷", "🧴"),
    "daily": ("🧻", "🧼"),
}


@lru_cache(maxsize=1)
def _font():
    f = TTFont(EMOJI_FONT)
    return f.getBestCmap(), f["CBDT"].strikeData[0]


@lru_cache(maxsize=None)
def emoji(ch: str) -> Image.Image:
    """The emoji's embedded PNG (CBDT format 17: metrics + PNG data), as RGBA."""
    cmap, strike = _font()
    cps = [ord(c) for c in ch if ord(c) != 0xFE0F]   # drop variation selector 16
    if len(cps) != 1:
        raise ValueError(f"{ch!r}: only single-codepoint emoji are supported")
    glyph = cmap.get(cps[0])
    if glyph is None or glyph not in strike:
        raise KeyError(f"U+{cps[0]:04X} {ch} is not in {EMOJI_FONT}")
    bmp = strike[glyph]
    bmp.ensureDecompiled()
    im = Image.open(io.BytesIO(bmp.imageData)).convert("RGBA")
    bbox = im.getbbox()            # trim transparent margins so the drawing itself is ~200 px
    return im.crop(bbox) if bbox else im


def scaled(ch: str, px: int) -> Image.Image:
    im = emoji(ch)
    k = px / max(im.size)
    size = (max(1, round(im.width * k)), max(1, round(im.height * k)))
    # resize in premultiplied alpha so edges do not get dark fringes
    return im.convert("RGBa").resize(size, Image.LANCZOS).convert("RGBA")


def paste_centred(canvas: Image.Image, im: Image.Image, cx: float, cy: float) -> None:
    canvas.alpha_composite(im, (round(cx - im.width / 2), round(cy - im.height / 2)))


def render(spec, bg=BG, kind="product") -> Image.Image:
    """spec: "E" | (main, badge) for products; (a, b) pair for categories."""
    canvas = Image.new("RGBA", (SIZE, SIZE), bg + (255,))
    if kind == "category":
        a, b = spec
        paste_centred(canvas, scaled(a, 150), 92, 96)
        paste_centred(canvas, scaled(b, 150), 164, 160)
    elif isinstance(spec, str):
        paste_centred(canvas, scaled(spec, MAIN_PX), SIZE / 2, SIZE / 2)
    else:
        main, badge = spec
        paste_centred(canvas, scaled(main, MAIN_PX - 12), SIZE / 2 - 14, SIZE / 2 - 14)
        d = ImageDraw.Draw(canvas)
        x1 = y1 = SIZE - 4
        x0 = y0 = SIZE - 4 - BADGE_D
        d.ellipse((x0, y0, x1, y1), fill=(255, 255, 255, 255), outline=BADGE_RING + (255,), width=4)
        paste_centred(canvas, scaled(badge, BADGE_PX), (x0 + x1) / 2, (y0 + y1) / 2)
    return canvas.convert("RGB")


def save_png(im: Image.Image, path: Path) -> None:
    # A 256-colour palette keeps each picture well under 40 KB with no visible loss at tile size.
    pal = im.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    buf = io.BytesIO()
    pal.save(buf, format="PNG", optimize=True)
    if buf.tell() > 40_000:      # unlikely; fall back to fewer colours
        buf = io.BytesIO()
        im.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(buf, format="PNG", optimize=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def write_licence(path: Path) -> None:
    """Copy the font's copyright line and the SIL OFL 1.1 text (from the Debian copyright file)."""
    name = TTFont(EMOJI_FONT, lazy=True)["name"]
    lines, on = [], False
    for line in Path(EMOJI_COPYRIGHT).read_text(encoding="utf-8").splitlines():
        if line.startswith("License:"):
            on = line.split()[-1] == "SIL-1.1"   # the "License: SIL-1.1" stanza(s)
            continue
        if on:
            text = line[1:] if line.startswith(" ") else line
            lines.append("" if text == "." else text)
    if not any("SIL OPEN FONT LICENSE Version 1.1" in l for l in lines):
        raise SystemExit(f"could not find the OFL text in {EMOJI_COPYRIGHT}")
    head = [
        f"{name.getDebugName(1)} ({name.getDebugName(5)})",
        name.getDebugName(0),
        "Copyright 2013-2017 Google Inc., Arjen Nienhuis (per Debian package fonts-noto-color-emoji)",
        name.getDebugName(7),
        "",
    ]
    text = "\n".join(lines).strip()
    path.write_text("\n".join(head) + "\n" + text + "\n", encoding="utf-8")


def main() -> int:
    repo = Path(__file__).resolve().parents[2]
    catalog = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "assets" / "catalog.toml"
    data = tomllib.loads(catalog.read_text(encoding="utf-8"))
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else catalog.parent
    problems = []
    seen = {}
    jobs = []
    for c in data["category"]:
        spec = CATEGORIES.get(c["id"])
        if spec is None:
            problems.append(f"category {c['id']}: no entry in CATEGORIES")
            continue
        jobs.append((base / c["picture"], spec, "category"))
    for p in data["product"]:
        spec = PRODUCTS.get(p["id"])
        if spec is None:
            problems.append(f"product {p['id']}: no entry in PRODUCTS")
            continue
        if spec in seen:
            problems.append(f"product {p['id']}: same picture as {seen[spec]}; add a badge")
        seen[spec] = p["id"]
        jobs.append((base / p["picture"], spec, "product"))
    unused = set(PRODUCTS) - {p["id"] for p in data["product"]}
    if unused:
        print("note: mapping entries not in catalog:", ", ".join(sorted(unused)))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    total = 0
    for path, spec, kind in jobs:
        save_png(render(spec, kind=kind), path)
        total += path.stat().st_size
    write_licence(base / "OFL-NotoColorEmoji.txt")
    print(f"wrote {len(jobs)} pictures to {base / 'pictures'} ({total // 1024} KB total)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
