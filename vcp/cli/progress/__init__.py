"""Progress on the terminal: the CLI's renderers, subscribers to the library's frozen events.

- ``modes``: what ``--progress`` resolves to (``choose_mode``) and the renderer protocol;
- ``downloads``: the model manager's events as tqdm bars or log lines (``make_renderer``);
- ``analysis``: per-detector bars beside the download bars, and each video's summary;
- ``censor``: ``vcp censor``'s bar over the film's seconds.

Only the download renderer and the modes are imported here (every command needs them); the
analysis and censor views are imported from their modules when those commands run.
"""

from vcp.cli.progress.downloads import make_renderer
from vcp.cli.progress.modes import ProgressMode, ProgressRenderer, choose_mode

__all__ = ["ProgressMode", "ProgressRenderer", "choose_mode", "make_renderer"]
