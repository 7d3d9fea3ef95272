"""Damaged copies of a film: an audio packet overwritten in place, as a bad disk leaves it."""

from __future__ import annotations

import shutil
from pathlib import Path


def damage_audio_packet(source: Path, target: Path, *, after: float) -> Path:
    """Copy ``source`` to ``target`` with the first audio packet at or after ``after`` seconds
    overwritten with 0xff bytes (the decoder reports it and goes on)."""
    import av

    damaged = Path(shutil.copy(source, target))
    with av.open(str(damaged)) as container:
        packets = [p for p in container.demux(container.streams.audio[0]) if p.size]
    hit = next(
        p for p in packets if p.pts is not None and p.time_base and p.pts * p.time_base >= after
    )
    assert hit.pos is not None, "the packet's byte offset is unknown"
    data = bytearray(damaged.read_bytes())
    data[hit.pos : hit.pos + hit.size] = b"\xff" * hit.size
    damaged.write_bytes(bytes(data))
    return damaged
