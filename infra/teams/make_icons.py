"""Draw the Teams app icons: color.png (192x192) and outline.png (32x32, white on transparent).

Run with the test tools installed (Pillow): ``.venv/bin/python infra/teams/make_icons.py``.
The PNGs are committed; the packager only copies them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (31, 78, 121, 255)  # the manifest's accentColor, #1F4E79
WHITE = (255, 255, 255, 255)
SCALE = 8  # draw large, then shrink, for smooth edges


def _glyph(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], width: float) -> None:
    """A speech bubble with a tick: a prompt the chair can act on."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    bubble = (left, top, right, top + h * 0.78)
    draw.rounded_rectangle(bubble, radius=h * 0.18, outline=WHITE, width=round(width))
    tail = [
        (left + w * 0.22, top + h * 0.74),
        (left + w * 0.22, bottom),
        (left + w * 0.46, top + h * 0.74),
    ]
    draw.polygon(tail, fill=WHITE)
    tick = [
        (left + w * 0.27, top + h * 0.40),
        (left + w * 0.44, top + h * 0.56),
        (left + w * 0.74, top + h * 0.22),
    ]
    draw.line(tick, fill=WHITE, width=round(width), joint="curve")


def color_icon() -> Image.Image:
    """192x192, full colour: the glyph in the central 96x96 on the accent colour."""
    size = 192 * SCALE
    image = Image.new("RGBA", (size, size), ACCENT)
    draw = ImageDraw.Draw(image)
    margin = 48 * SCALE
    _glyph(draw, (margin, margin, size - margin, size - margin), 8 * SCALE)
    return image.resize((192, 192), Image.Resampling.LANCZOS)


def outline_icon() -> Image.Image:
    """32x32: white only, on a transparent background, as Teams requires."""
    size = 32 * SCALE
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    margin = 3 * SCALE
    _glyph(draw, (margin, margin, size - margin, size - margin), 2.5 * SCALE)
    small = image.resize((32, 32), Image.Resampling.LANCZOS)
    # Resampling can tint edge pixels; keep every pixel pure white and vary only its alpha.
    alpha = small.getchannel("A")
    white = Image.new("RGBA", (32, 32), WHITE)
    white.putalpha(alpha)
    return white


def main() -> None:
    """Write both icons beside this script."""
    color_icon().convert("RGB").save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
