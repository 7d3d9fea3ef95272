"""Writing a censored copy of a film with PyAV, the media half of ``vcp censor``.

- ``writer``: one pass over the input, each stream copied or re-encoded (``transcode``,
  ``Recipe``, ``encoder_for``); PyAV and OSError failures become ``MediaError`` there;
- ``audio``: ``AudioCensor``, muting, bleeping and cutting decoded audio frames;
- ``video``: ``VideoCensor``, blanking, blurring and dropping decoded video frames;
- ``edits``: the pure array work both call (numpy only, no PyAV).

As for the rest of ``vcp.media``, import the submodule you need: this package itself loads nothing.
"""
