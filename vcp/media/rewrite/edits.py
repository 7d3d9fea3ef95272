"""The sample and pixel edits themselves, on numpy arrays: silence, a tone, black, a mosaic.

Pure (numpy only, no PyAV): ``vcp.media.rewrite`` decodes frames into arrays, calls these, and
encodes the result. Times are seconds on the source's timeline (0 = the first moment of the file).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from vcp.actions import AudioEdit, Box, VideoEdit

__all__ = ["apply_audio_edits", "blank_image", "blur_boxes", "kept_samples", "pad_box"]

Samples = NDArray[np.float32]  # (channels, samples), planar float in [-1, 1]
Image = NDArray[np.uint8]  # (height, width, 3) RGB


def apply_audio_edits(
    samples: Samples,
    *,
    start: float,
    rate: int,
    edits: Sequence[AudioEdit],
    bleep_hz: float,
    bleep_dbfs: float,
) -> Samples:
    """``samples`` (first one at ``start`` seconds) with every edit that overlaps them applied.

    ``mute`` writes zeros; ``bleep`` a sine of ``bleep_hz`` at ``bleep_dbfs`` whose phase counts
    from the edit's start, so a bleep split over two frames has no click at the seam.
    """
    out = samples
    count = samples.shape[1]
    for edit in edits:
        first, last = _sample_range(edit.start, edit.end, start=start, rate=rate, count=count)
        if first >= last:
            continue
        if out is samples:
            out = samples.copy()
        if edit.action == "mute":
            out[:, first:last] = 0.0
        else:
            times = start + np.arange(first, last) / rate - edit.start
            amplitude = 10.0 ** (bleep_dbfs / 20.0)
            out[:, first:last] = (amplitude * np.sin(2 * np.pi * bleep_hz * times)).astype(
                np.float32
            )
    return out


def kept_samples(
    count: int, *, start: float, rate: int, skips: Sequence[VideoEdit]
) -> NDArray[np.bool_] | None:
    """A mask of the samples no skip removes, or None when every sample stays."""
    mask: NDArray[np.bool_] | None = None
    for skip in skips:
        first, last = _sample_range(skip.start, skip.end, start=start, rate=rate, count=count)
        if first >= last:
            continue
        if mask is None:
            mask = np.ones(count, dtype=np.bool_)
        mask[first:last] = False
    return mask


def _sample_range(
    begin: float, end: float, *, start: float, rate: int, count: int
) -> tuple[int, int]:
    """The indices ``[first, last)`` of the samples whose time falls in ``[begin, end)``."""
    first = int(np.ceil((begin - start) * rate - 1e-6))
    last = int(np.ceil((end - start) * rate - 1e-6))
    return max(first, 0), min(last, count)


def blank_image(height: int, width: int) -> Image:
    """A black RGB picture."""
    return np.zeros((height, width, 3), dtype=np.uint8)


def pad_box(box: Box, *, padding: float, height: int, width: int) -> tuple[int, int, int, int]:
    """``box`` (x, y, w, h) grown by ``padding`` times its size on every side, clipped to the
    picture, as ``(x0, y0, x1, y1)``."""
    x, y, w, h = box
    dx, dy = round(w * padding), round(h * padding)
    x0, y0 = max(0, x - dx), max(0, y - dy)
    x1, y1 = min(width, x + w + dx), min(height, y + h + dy)
    return x0, y0, max(x0, x1), max(y0, y1)


def blur_boxes(image: Image, boxes: Sequence[Box], *, padding: float, cells: int) -> Image:
    """``image`` with each padded box replaced by a mosaic ``cells`` cells across its longer side
    (the whole picture when ``boxes`` is empty): nothing finer than a cell survives."""
    height, width = image.shape[:2]
    regions = (
        [pad_box(b, padding=padding, height=height, width=width) for b in boxes]
        if boxes
        else [(0, 0, width, height)]
    )
    out = image.copy()
    for x0, y0, x1, y1 in regions:
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = _mosaic(out[y0:y1, x0:x1], cells)
    return out


def _mosaic(region: Image, cells: int) -> Image:
    h, w = region.shape[:2]
    cell = max(1, -(-max(h, w) // cells))  # the side of a cell, in pixels
    rows, cols = -(-h // cell), -(-w // cell)
    padded = np.pad(region, ((0, rows * cell - h), (0, cols * cell - w), (0, 0)), mode="edge")
    cells = padded.reshape(rows, cell, cols, cell, 3).mean(axis=(1, 3))
    big = np.repeat(np.repeat(cells, cell, axis=0), cell, axis=1)
    return big[:h, :w].astype(np.uint8)
