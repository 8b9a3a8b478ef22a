"""Media shipped inside the package, so the mock returns real, playable files offline."""

from __future__ import annotations

from pathlib import Path

MEDIA_DIR = Path(__file__).resolve().parent / "media"
SAMPLE_VIDEO = MEDIA_DIR / "sample.mp4"
"""A 2-second 256x144 H.264/AAC MP4 (about 11 KB)."""
SAMPLE_THUMBNAIL = MEDIA_DIR / "sample.jpg"
"""A 256x144 JPEG frame of the sample video."""
SAMPLE_DURATION_SECONDS = 2.0
