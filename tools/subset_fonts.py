"""Make the Noto fonts the certificate PDF falls back on, from Debian's fonts-noto-core and
fonts-noto-cjk packages (SIL Open Font License 1.1):

    apt-get download fonts-noto-core fonts-noto-cjk
    dpkg-deb -x fonts-noto-core_*.deb noto && dpkg-deb -x fonts-noto-cjk_*.deb noto
    .venv/bin/python tools/subset_fonts.py noto/usr/share/fonts

Each script's bold face only (names and titles print bold; a fallback serves every style),
cut to that script's own characters (DejaVu draws Latin, Greek, Cyrillic, Hebrew, Arabic,
Armenian and Georgian), every layout feature kept for shaping, hinting dropped (a PDF is
scaled, not rasterised at small sizes on a screen)."""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parent.parent / "nmt_course" / "certificates" / "fonts"
# Joiners, the dotted circle shaping inserts before a stray mark, and the dandas Indic
# scripts share.
SHARED = [0x200C, 0x200D, 0x25CC, 0x0964, 0x0965]
SCRIPTS = ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu",
           "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Ethiopic")
HANGUL = [*range(0x1100, 0x1200), *range(0x3130, 0x3190), *range(0xA960, 0xA980),
          *range(0xAC00, 0xD7A4), *range(0xD7B0, 0xD800)]


def _options() -> subset.Options:
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]  # the copyright and licence notices stay in the file
    options.notdef_outline = True
    return options


def _cut(font: TTFont, unicodes: list[int], out: Path) -> None:
    subsetter = subset.Subsetter(_options())
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.save(out)
    print(f"{out.name}: {out.stat().st_size:,} bytes")


def main(fonts: Path) -> None:
    noto = fonts / "truetype" / "noto"
    for script in SCRIPTS:
        font = TTFont(noto / f"NotoSans{script}-Bold.ttf")
        own = [code for code in font.getBestCmap() if code > 0x02FF]
        _cut(font, own + SHARED, OUT / f"NotoSans{script}-Bold.ttf")
    collection = TTCollection(fonts / "opentype" / "noto" / "NotoSansCJK-Bold.ttc")
    korean = next(font for font in collection.fonts
                  if font["name"].getDebugName(4) == "Noto Sans CJK KR Bold")
    _cut(korean, HANGUL, OUT / "NotoSansKR-Hangul-Bold.otf")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
