"""The rewrite's edits of samples and pixels (``vcp.media.rewrite.edits``): mute and bleep to the
sample, the samples a skip drops, and blurred boxes."""

from __future__ import annotations

import numpy as np
import pytest
from vcp_testing.edit_plans import MUTE, SKIP

from vcp.actions import AudioEdit
from vcp.media.rewrite.edits import apply_audio_edits, blur_boxes, kept_samples, pad_box


def test_mute_and_bleep_are_sample_accurate() -> None:
    rate = 1000
    samples = np.ones((2, 3000), dtype=np.float32)
    bleep = AudioEdit(2.0, 2.5, "bleep", ("x",), (2,))
    out = apply_audio_edits(
        samples, start=0.5, rate=rate, edits=[MUTE, bleep], bleep_hz=250, bleep_dbfs=-6
    )
    assert (
        np.all(out[:, 500:1500] == 0) and np.all(out[:, :500] == 1) and np.all(out[:, 2000:] == 1)
    )
    tone = out[0, 1500:2000]
    assert np.max(np.abs(tone)) == pytest.approx(10 ** (-6 / 20), rel=1e-3)
    assert tone[0] == pytest.approx(0, abs=1e-6)  # the phase starts at the edit
    assert np.all(samples == 1)  # the input is not modified


def test_kept_samples_drop_the_skipped_stretch() -> None:
    mask = kept_samples(1000, start=2.5, rate=1000, skips=[SKIP])
    assert mask is not None
    assert mask[:500].all() and not mask[500:].any()
    assert kept_samples(1000, start=0.0, rate=1000, skips=[SKIP]) is None


def test_blur_replaces_detail_inside_the_padded_box_only() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (100, 200, 3), dtype=np.uint8)
    out = blur_boxes(image, [(50, 20, 40, 40)], padding=0.25, cells=2)
    assert pad_box((50, 20, 40, 40), padding=0.25, height=100, width=200) == (40, 10, 100, 70)
    inside = out[10:70, 40:100]
    assert len(np.unique(inside.reshape(-1, 3), axis=0)) <= 4  # two cells across, two down
    assert np.array_equal(out[:, :40], image[:, :40]) and np.array_equal(
        out[:, 100:], image[:, 100:]
    )
    whole = blur_boxes(image, [], padding=0, cells=1)
    assert len(np.unique(whole.reshape(-1, 3), axis=0)) == 1
