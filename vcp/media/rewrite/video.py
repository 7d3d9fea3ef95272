"""Re-encoding the film's video with H.264: skipped frames dropped, blanks and blurs painted in,
every kept frame retimed onto the output's timeline."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

from vcp.actions import EditPlan, VideoEdit
from vcp.config.schema.actions import BlurSettings, VideoEncodeSettings
from vcp.media.rewrite.edits import blank_image, blur_boxes

__all__ = ["VideoCensor"]

_PIXEL_FORMAT = "yuv420p"  # what every H.264 player decodes
_FALLBACK_RATE = Fraction(25)


class VideoCensor:
    """Decodes ``source``'s packets, applies the video edits and muxes H.264 into ``output``."""

    def __init__(
        self,
        output: Any,
        source: Any,
        *,
        plan: EditPlan,
        blur: BlurSettings,
        encode: VideoEncodeSettings,
        start: float,
    ) -> None:
        ctx = source.codec_context
        source.thread_type = "AUTO"
        rate = source.average_rate or source.guessed_rate or _FALLBACK_RATE
        self._output, self._plan, self._blur, self._start = output, plan, blur, start
        self.stream = output.add_stream("libx264", rate=rate)
        # 4:2:0 needs even sizes: an odd row or column (853x480 exports exist) is scaled away.
        self._width, self._height = ctx.width - ctx.width % 2, ctx.height - ctx.height % 2
        self.stream.width, self.stream.height = self._width, self._height
        self.stream.pix_fmt = _PIXEL_FORMAT
        self.stream.codec_context.time_base = source.time_base
        self.stream.options = {"crf": str(encode.crf), "preset": encode.preset}
        if ctx.sample_aspect_ratio:
            self.stream.codec_context.sample_aspect_ratio = ctx.sample_aspect_ratio
        self._time_base: Fraction = source.time_base
        self._shape = (_PIXEL_FORMAT, self._width, self._height)
        self._last_pts: int | None = None
        self._black_size: tuple[int, int] | None = None
        self._black_planes: Any = None

    def packet(self, packet: Any) -> None:
        """Decode, edit and encode one demuxed packet."""
        for frame in packet.decode():
            self._frame(frame)

    def flush(self) -> None:
        """Drain the encoder."""
        for packet in self.stream.encode(None):
            self._output.mux(packet)

    def _frame(self, frame: Any) -> None:
        if frame.time is None:
            return
        seconds = float(frame.time) - self._start
        out = self._plan.output_time(seconds)
        if out is None:
            return
        edit = self._plan.video_at(seconds)
        picture = self._retouch(frame, edit, seconds=seconds) if edit else frame
        if (picture.format.name, picture.width, picture.height) != self._shape:
            picture = picture.reformat(self._width, self._height, _PIXEL_FORMAT)
        pts = round((self._start + out) / self._time_base)
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1  # the encoder needs rising timestamps
        picture.pts, picture.time_base = pts, self._time_base
        picture.pict_type = PictureType.NONE  # let x264 place keyframes, not the source's
        self._last_pts = pts
        for packet in self.stream.encode(picture):
            self._output.mux(packet)

    def _retouch(self, frame: Any, edit: VideoEdit, *, seconds: float) -> Any:
        if edit.action == "blank":
            return av.VideoFrame.from_ndarray(self._black(frame), format=_PIXEL_FORMAT)
        image = blur_boxes(
            frame.to_ndarray(format="rgb24"),
            edit.boxes_at(seconds),
            padding=self._blur.box_padding,
            cells=self._blur.cells,
        )
        return av.VideoFrame.from_ndarray(image, format="rgb24")

    def _black(self, frame: Any) -> Any:
        """A black picture in the encoder's pixel format, converted once per size: converting
        RGB for every blanked frame cost more than encoding it."""
        size = (self._height, self._width)
        if self._black_size != size:
            rgb = av.VideoFrame.from_ndarray(blank_image(*size), format="rgb24")
            self._black_planes = rgb.reformat(format=_PIXEL_FORMAT).to_ndarray()
            self._black_size = size
        return self._black_planes
