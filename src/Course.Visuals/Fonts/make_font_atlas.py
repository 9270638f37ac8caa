#!/usr/bin/python3
"""Regenerates dejavu-sans.atlas, the bitmap font the PNG rasterizer draws text with.

Why a pre-rendered atlas: the static renderer must run with no native font library, yet text
in PNGs must be as legible as in the SVGs (which name the same font, DejaVu Sans). FreeType's
hinted, anti-aliased rendering of DejaVu Sans at each pixel size is baked once into coverage
bitmaps; the glyph advances are the font's own, so text measured for layout matches both outputs.

Run: /usr/bin/python3 make_font_atlas.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
Format (little-endian, then zlib-compressed):
  b"CVFA", u16 version=1, u16 size count; per size:
  u16 pixel size, i16 ascent, i16 descent, u16 glyph count; per glyph:
  u32 code point, u16 advance*64, i16 left, i16 top (pixels above baseline), u8 w, u8 h, w*h coverage bytes.
"""
import struct, sys, zlib
from PIL import Image, ImageDraw, ImageFont

SIZES = [9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 32, 36]
EXTRA = ("°±×÷·²³¹µ¼½¾αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ"
         "−–—‘’“”…√∞≈≠≤≥∇∂∑∫∼→←↑↓↔⁰⁴⁵⁶⁷⁸⁹⁺⁻₀₁₂₃₄₅₆₇₈₉₊₋ₜₙᵢ‖ᾱ̄̂")


def main(path, out):
    chars = [chr(c) for c in range(32, 127)] + list(dict.fromkeys(EXTRA))
    blob = bytearray(b"CVFA" + struct.pack("<HH", 1, len(SIZES)))
    for size in SIZES:
        font = ImageFont.truetype(path, size)
        ascent, descent = font.getmetrics()
        glyphs = []
        notdef = bytes(font.getmask("\ue000"))
        for ch in chars:
            if ch != " " and bytes(font.getmask(ch)) == notdef:
                continue  # the font lacks it: leave it out rather than bake a .notdef box
            adv = font.getlength(ch)
            l, t, r, b = font.getbbox(ch, anchor="ls")
            w, h = max(r - l, 0), max(b - t, 0)
            data = b""
            if w > 0 and h > 0:
                im = Image.new("L", (w, h), 0)
                ImageDraw.Draw(im).text((-l, -t), ch, font=font, fill=255, anchor="ls")
                data = im.tobytes()
            glyphs.append(struct.pack("<IHhhBB", ord(ch), int(round(adv * 64)), l, -t, w, h) + data)
        blob += struct.pack("<HhhH", size, ascent, descent, len(glyphs))
        for g in glyphs:
            blob += g
    with open(out, "wb") as f:
        f.write(zlib.compress(bytes(blob), 9))
    print(f"{out}: {len(blob)} bytes raw, {len(chars)} chars x {len(SIZES)} sizes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         sys.argv[2] if len(sys.argv) > 2 else "dejavu-sans.atlas")
