#!/usr/bin/python3
"""Regenerates dejavu-sans.atlas, the bitmap font the PNG rasterizer draws text with, and
noto-sans-cjk-jp.atlas, the Japanese glyphs the Japanese edition draws (--cjk).

Why a pre-rendered atlas: the static renderer must run with no native font library, yet text
in PNGs must be as legible as in the SVGs (which name the same font, DejaVu Sans). FreeType's
hinted, anti-aliased rendering of DejaVu Sans at each pixel size is baked once into coverage
bitmaps; the glyph advances are the font's own, so text measured for layout matches both outputs.

Run (Debian: apt-get install fonts-dejavu-core python3-pil), from this folder:
  /usr/bin/python3 make_font_atlas.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf dejavu-sans.atlas
Japanese (Debian: apt-get install fonts-noto-cjk), from this folder:
  /usr/bin/python3 make_font_atlas.py --cjk
bakes Noto Sans CJK JP (SIL Open Font License 1.1, NOTO-CJK-LICENSE.txt) at the same sizes, for the
characters the course can draw in Japanese and no more, to keep it small: the kana and the Japanese
punctuation, and every CJK character in the string literals of the translations
(notebooks/*/translations/*.json, tests' edition fixtures) and in the libraries' Japanese messages
(src/*/LearnerMessages.cs). Rerun it after a translation adds a kanji; a test
(Course.Visuals.Tests, JapaneseTextTests) fails until then.
Format (little-endian, then zlib-compressed):
  b"CVFA", u16 version, u16 size count; per size:
  u16 pixel size, i16 ascent, i16 descent, u16 glyph count; per glyph:
  u32 code point, u16 advance*64, i16 left, i16 top (pixels above baseline), u8 w, u8 h, then the
  coverage: version 1, w*h bytes; version 2 (the CJK atlas, half the size), w*h 4-bit levels, two a
  byte (high nibble first), the last byte padded.
"""
import glob, json, os, struct, sys, unicodedata, zlib
from PIL import Image, ImageDraw, ImageFont

SIZES = [9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 32, 36]
# Lessons write maths in labels: Greek, operators, super/subscripts (every subscript letter Unicode
# has, U+2090-209C, plus ᵢ ⱼ ᵣ ᵤ ᵥ) and combining marks (bar, hat, tilde, dot, diaeresis) that the
# rasterizer draws over the previous glyph. Characters DejaVu Sans lacks are reported and skipped.
EXTRA = ("°±×÷·²³¹µ¼½¾αβγδεζηθικλμνξπρστυφχψωϵϑϕΓΔΘΛΞΠΣΦΨΩ"
         "−–—‘’“”…√∞≈≠≤≥≡≃≪≫∝∇∂∑∏∫∼∈∀∘⊙⋅ℝ⟨⟩→←↑↓↔⇒"
         "⁰⁴⁵⁶⁷⁸⁹⁺⁻ⁱⁿᵀ₀₁₂₃₄₅₆₇₈₉₊₋"
         "ₐₑₒₓₔₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ‖ᾱ"
         "\u0302\u0303\u0304\u0307\u0308")


def pack4(data):
    """8-bit coverage to 4-bit levels (0..15), two a byte."""
    levels = [min(15, (v + 8) // 17) for v in data]
    if len(levels) % 2:
        levels.append(0)
    return bytes(levels[i] << 4 | levels[i + 1] for i in range(0, len(levels), 2))


def main(path, out, chars=None, index=0, version=1):
    chars = chars or [chr(c) for c in range(32, 127)] + list(dict.fromkeys(EXTRA))
    blob = bytearray(b"CVFA" + struct.pack("<HH", version, len(SIZES)))
    missing = set()
    for size in SIZES:
        # The default (raqm) layout keeps the font's fractional advances, which browsers use for the
        # SVG too. Combining marks are baked with the BASIC layout: raqm shapes a lone mark onto a
        # dotted-circle placeholder, which would be baked in; BASIC gives the bare mark, advance 0.
        shaped = ImageFont.truetype(path, size, index=index)
        basic = ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
        ascent, descent = shaped.getmetrics()
        glyphs = []
        notdef = bytes(basic.getmask("\ue000"))
        for ch in chars:
            font = basic if unicodedata.combining(ch) else shaped
            if ch != " " and bytes(basic.getmask(ch)) == notdef:
                missing.add(ch)
                continue  # the font lacks it: leave it out rather than bake a .notdef box
            adv = font.getlength(ch)
            l, t, r, b = font.getbbox(ch, anchor="ls")
            w, h = max(r - l, 0), max(b - t, 0)
            data = b""
            if w > 0 and h > 0:
                im = Image.new("L", (w, h), 0)
                ImageDraw.Draw(im).text((-l, -t), ch, font=font, fill=255, anchor="ls")
                # keep only the ink: the rasterizer centres combining marks by their ink width
                ink = im.getbbox()
                if ink is None:
                    w = h = 0
                else:
                    im = im.crop(ink)
                    l, t, w, h = l + ink[0], t + ink[1], ink[2] - ink[0], ink[3] - ink[1]
                    data = im.tobytes() if version == 1 else pack4(im.tobytes())
            glyphs.append(struct.pack("<IHhhBB", ord(ch), int(round(adv * 64)), l, -t, w, h) + data)
        blob += struct.pack("<HhhH", size, ascent, descent, len(glyphs))
        for g in glyphs:
            blob += g
    with open(out, "wb") as f:
        f.write(zlib.compress(bytes(blob), 9))
    print(f"{out}: {len(blob)} bytes raw, {len(chars)} chars x {len(SIZES)} sizes")
    if missing:
        print("not in the font, skipped: " + " ".join(f"U+{ord(c):04X}" for c in sorted(missing)))


# The kana and the punctuation of Japanese text, always; CJK characters beyond them only where used.
KANA = ([chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x30A1, 0x30FB)]
        + list("ー・、。「」『』（）［］｛｝【】〈〉《》〔〕：；！？〜…‥＝＋－％＆＃＠＊／＼，．　々〆〇"))


def is_cjk(ch):
    c = ord(ch)
    return 0x2E80 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or 0xFF00 <= c <= 0xFFEF


def string_literal_units(path):
    """The translations of a translation file's string-literal units (what code can draw)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for unit in data.get("units", []):
        en = unit.get("en", "")
        if en[:1] in ('"', "$", "@"):
            for key, value in unit.items():
                if key not in ("en", "previous_en") and isinstance(value, str):
                    yield value


def japanese_characters(root):
    texts = []
    for pattern in ("notebooks/*/translations/*.json", "tests/*/fixtures/edition/*/translations/*.json"):
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            texts.extend(string_literal_units(path))
    for path in sorted(glob.glob(os.path.join(root, "src/*/LearnerMessages.cs"))):
        with open(path, encoding="utf-8") as f:
            texts.append(f.read())
    used = sorted({ch for text in texts for ch in text if is_cjk(ch)})
    return list(dict.fromkeys(KANA + used))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--cjk":
        here = os.path.dirname(os.path.abspath(__file__))
        root = os.path.normpath(os.path.join(here, "..", "..", ".."))
        font = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "noto-sans-cjk-jp.atlas")
        main(font, out, japanese_characters(root), index=0, version=2)  # face 0: Noto Sans CJK JP
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
             sys.argv[2] if len(sys.argv) > 2 else "dejavu-sans.atlas")
