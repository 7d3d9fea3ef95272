"""Rewriting a film with PyAV: a copy with some streams decoded, edited and re-encoded, the rest
copied packet for packet. The media half of ``vcp censor`` (``vcp.censor`` plans the run; this
package only writes the copy), named for what it does to a film rather than why.

- ``writer``: one pass over the input, each stream copied or re-encoded (``transcode``,
  ``Recipe``, ``encoder_for``);
- ``empty``: a copy with nothing left in it (every second skipped) is refused;
- ``audio``: ``AudioCensor``, muting, bleeping and cutting decoded audio frames;
- ``video``: ``VideoCensor``, blanking, blurring and dropping decoded video frames;
- ``edits``: the pure array work both call (numpy only, no PyAV).

Opening the files and translating PyAV's failures is ``vcp.media.containers``' work. As for the
rest of ``vcp.media``, import the submodule you need: this package itself loads nothing.
"""
