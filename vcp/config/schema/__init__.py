"""The configuration's shape: pydantic models for models, detectors, processing, output and actions.

Every section forbids unknown keys, so a typo in a YAML file is an error rather than a silently
ignored setting. Defaults are named constants beside each section. The top-level ``Settings``
(with its environment sources) lives in ``vcp.config.settings``; these models are plain data that
embedders may also build directly (``ModelsSettings(sources=[...])``).

One module per concern, every public name re-exported here:

- ``common``: ``FieldError`` (a located error the loader points at), the strict base section, the
  shared path and URL checks;
- ``models``: the ``models:`` section (hub, download, sources);
- ``detectors``: the ``detectors:`` entries (NudeNet, speech profanity, subtitles);
- ``output``: the ``processing:`` and ``output:`` sections;
- ``actions``: the ``actions:`` section (what ``vcp censor`` does with each category).
"""

from vcp.config.schema.actions import (
    DEFAULT_AUDIO_PADDING_SECONDS,
    DEFAULT_BLEEP_FREQUENCY_HZ,
    DEFAULT_BLEEP_LEVEL_DBFS,
    DEFAULT_BLUR_BOX_PADDING,
    DEFAULT_BLUR_CELLS,
    DEFAULT_CRF,
    DEFAULT_PRESET,
    DEFAULT_VIDEO_PADDING_SECONDS,
    ActionsSettings,
    AudioAction,
    BleepSettings,
    BlurSettings,
    CategoryActions,
    DefaultActions,
    PaddingSettings,
    ResolvedActions,
    VideoAction,
    VideoEncodeSettings,
)
from vcp.config.schema.common import FieldError, is_pattern
from vcp.config.schema.detectors import (
    DEFAULT_BEAM_SIZE,
    DEFAULT_MAX_CUES,
    DEFAULT_MAX_SUBTITLE_BYTES,
    DEFAULT_NUDENET_BATCH_SIZE,
    DEFAULT_OVERLAP_SECONDS,
    DEFAULT_SPEECH_THRESHOLD,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_SECONDS,
    AnyDetectorSettings,
    DetectorSettings,
    NudeNetSettings,
    SpeechProfanitySettings,
    SubtitleMask,
    SubtitlesSettings,
    WordListSettings,
)
from vcp.config.schema.models import (
    DEFAULT_CONNECT_TIMEOUT_SECONDS,
    DEFAULT_DISK_SPACE_FACTOR,
    DEFAULT_HUB_ENDPOINT,
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_MAX_CONCURRENT_FILES,
    DEFAULT_MAX_CONNECTIONS_PER_FILE,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_METADATA_TTL_HOURS,
    DEFAULT_READ_TIMEOUT_SECONDS,
    DEFAULT_RETRY_BACKOFF_SECONDS,
    DEFAULT_SEGMENT_MIN_BYTES,
    DEFAULT_SEGMENT_THRESHOLD_BYTES,
    DEFAULT_TOKEN_ENV,
    Algorithm,
    Deprecation,
    DownloadSettings,
    HfRepo,
    HubSettings,
    ModelSource,
    ModelsSettings,
)
from vcp.config.schema.output import (
    DEFAULT_FRAME_INTERVAL_SECONDS,
    DEFAULT_MERGE_GAP_SECONDS,
    OutputSettings,
    ProcessingSettings,
)
from vcp.core.checksums import HEX_LENGTHS

__all__ = [
    "DEFAULT_AUDIO_PADDING_SECONDS",
    "DEFAULT_BEAM_SIZE",
    "DEFAULT_BLEEP_FREQUENCY_HZ",
    "DEFAULT_BLEEP_LEVEL_DBFS",
    "DEFAULT_BLUR_BOX_PADDING",
    "DEFAULT_BLUR_CELLS",
    "DEFAULT_CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_CRF",
    "DEFAULT_DISK_SPACE_FACTOR",
    "DEFAULT_FRAME_INTERVAL_SECONDS",
    "DEFAULT_HUB_ENDPOINT",
    "DEFAULT_LOCK_TIMEOUT_SECONDS",
    "DEFAULT_MAX_CONCURRENT_FILES",
    "DEFAULT_MAX_CONNECTIONS_PER_FILE",
    "DEFAULT_MAX_CUES",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_MAX_SUBTITLE_BYTES",
    "DEFAULT_MERGE_GAP_SECONDS",
    "DEFAULT_METADATA_TTL_HOURS",
    "DEFAULT_NUDENET_BATCH_SIZE",
    "DEFAULT_OVERLAP_SECONDS",
    "DEFAULT_PRESET",
    "DEFAULT_READ_TIMEOUT_SECONDS",
    "DEFAULT_RETRY_BACKOFF_SECONDS",
    "DEFAULT_SEGMENT_MIN_BYTES",
    "DEFAULT_SEGMENT_THRESHOLD_BYTES",
    "DEFAULT_SPEECH_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOKEN_ENV",
    "DEFAULT_VIDEO_PADDING_SECONDS",
    "DEFAULT_WINDOW_SECONDS",
    "HEX_LENGTHS",
    "ActionsSettings",
    "Algorithm",
    "AudioAction",
    "BleepSettings",
    "BlurSettings",
    "CategoryActions",
    "DefaultActions",
    "Deprecation",
    "AnyDetectorSettings",
    "DetectorSettings",
    "DownloadSettings",
    "FieldError",
    "HfRepo",
    "HubSettings",
    "ModelSource",
    "ModelsSettings",
    "NudeNetSettings",
    "OutputSettings",
    "PaddingSettings",
    "ProcessingSettings",
    "ResolvedActions",
    "SpeechProfanitySettings",
    "SubtitleMask",
    "SubtitlesSettings",
    "VideoAction",
    "VideoEncodeSettings",
    "WordListSettings",
    "is_pattern",
]
