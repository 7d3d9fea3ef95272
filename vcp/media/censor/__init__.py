"""Writing a censored copy of a film with PyAV, the media half of ``vcp censor``.

- ``writer``: one pass over the input, each stream copied or re-encoded (``transcode``,
  ``Recipe``, ``encoder_for``); PyAV and OSError failures are translated there (a refused write
  of the output is an ``OutputError``, a broken film a ``MediaError``);
- ``empty``: a copy with nothing left in it (every second skipped) is refused;
- ``audio``: ``AudioCensor``, muting, bleeping and cutting decoded audio frames;
- ``video``: ``VideoCensor``, blanking, blurring and dropping decoded video frames;
- ``edits``: the pure array work both call (numpy only, no PyAV).

As for the rest of ``vcp.media``, import the submodule you need: this package itself loads nothing.
"""
