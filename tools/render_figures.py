"""Render the SVG sources of course figures to the PNG images lessons show.

    .venv/bin/python tools/render_figures.py          # render, rename, update the lessons
    .venv/bin/python tools/render_figures.py --check  # exit 1 if anything is out of date

figures/<course>/<name>.svg becomes lessons/<course>/images/<name>.<hash>.png, named by the
start of the PNG's SHA-256 as every kept image is (nmt_course/content/images.py). Older PNGs
of the same figure are removed, and every lesson's link to /courses/<course>/images/<name>.*
is pointed at the new file. The site never renders SVG: only these PNGs are served.

Text is set in the DejaVu fonts the certificates already ship, and system fonts are not
read, so the same SVG gives the same PNG on every machine (resvg, pinned in
requirements-dev.txt; no network access).
"""
from __future__ import annotations

import hashlib
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import resvg_py
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "nmt_course" / "certificates" / "fonts"
FONT_FILES = [str(FONTS / "DejaVuSans.ttf"), str(FONTS / "DejaVuSans-Bold.ttf")]
ZOOM = 2  # sources are drawn about 640 units wide: 1280 px is sharp on a phone's screen
KEPT = re.compile(r"^(?P<stem>[a-z0-9]+(?:-[a-z0-9]+)*)\.[0-9a-f]{10}\.png$")


@dataclass(frozen=True)
class Figure:
    course: str
    stem: str
    png: bytes

    @property
    def name(self) -> str:
        return f"{self.stem}.{hashlib.sha256(self.png).hexdigest()[:10]}.png"


def render(svg: Path) -> bytes:
    """The PNG of one SVG: rendered by resvg, then stored as an optimised palette image
    (flat schematic colours survive; the file is a fraction of the size)."""
    rgba = resvg_py.svg_to_bytes(svg_path=str(svg), zoom=ZOOM, skip_system_fonts=True,
                                 font_files=FONT_FILES, font_family="DejaVu Sans",
                                 sans_serif_family="DejaVu Sans", background="#ffffff")
    with Image.open(io.BytesIO(rgba)) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def figures(root: Path = ROOT) -> list[Figure]:
    return [Figure(folder.name, svg.stem, render(svg))
            for folder in sorted((root / "figures").iterdir()) if folder.is_dir()
            for svg in sorted(folder.glob("*.svg"))]


def changes(figure_list: list[Figure], root: Path = ROOT) -> dict[Path, bytes | None]:
    """{path: new content, or None to delete} that would bring lessons/ up to date."""
    planned: dict[Path, bytes | None] = {}
    for course in sorted({f.course for f in figure_list}):
        ours = {f.stem: f for f in figure_list if f.course == course}
        images = root / "lessons" / course / "images"
        for path in sorted(images.glob("*.png")) if images.is_dir() else []:
            match = KEPT.match(path.name)
            if match and match["stem"] in ours and path.name != ours[match["stem"]].name:
                planned[path] = None
        for figure in ours.values():
            path = images / figure.name
            if not path.is_file() or path.read_bytes() != figure.png:
                planned[path] = figure.png
        for lesson in sorted((root / "lessons" / course).glob("*.md")):
            text = lesson.read_text(encoding="utf-8")
            updated = text
            for figure in ours.values():
                updated = re.sub(rf"(/courses/{course}/images/){figure.stem}\.[\w.-]+?\.png",
                                 rf"\g<1>{figure.name}", updated)
            if updated != text:
                planned[lesson] = updated.encode("utf-8")
    return planned


def main(argv: list[str]) -> int:
    planned = changes(figures())
    if "--check" in argv:
        for path in planned:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if planned else 0
    for path, content in planned.items():
        if content is None:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
