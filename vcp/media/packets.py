"""Demuxed packets as the stream readers see them: their time, their length, and a demuxer that
stops at damage with a ``DecodeProblem`` instead of an exception (``frames`` and ``audio``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import av.error

from vcp.media import DecodeProblem
from vcp.media.containers import reason

__all__ = ["packet_length", "packet_time", "read_packets"]


def packet_time(packet: Any) -> float | None:
    """Seconds on the container's timeline where ``packet`` is shown (its pts, else its dts);
    None when it carries no time."""
    stamp = packet.pts if packet.pts is not None else packet.dts
    if stamp is None or packet.time_base is None:
        return None
    return float(stamp * packet.time_base)


def packet_length(packet: Any) -> float:
    """``packet``'s duration in seconds (0.0 when it does not say)."""
    return float(packet.duration * packet.time_base) if packet.duration else 0.0


def read_packets(packets: Iterator[Any], *, origin: float) -> Iterator[Any]:
    """``packets`` (a demuxer) as they come. A failure to demux cannot be stepped over: reading
    ends there, with a ``DecodeProblem`` at the last packet's time (seconds after ``origin``, the
    container's start)."""
    last = 0.0
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.FFmpegError as exc:
            yield DecodeProblem(last, f"the file cannot be read past here: {reason(exc)}")
            return
        time = packet_time(packet)
        if time is not None:
            last = max(time - origin, 0.0)
        yield packet
