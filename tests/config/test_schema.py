"""Every field's validation, as a user meets it: a YAML file in, ``field: message`` out."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vcp.config import Settings

Load = Callable[[Any], Settings]
Problems = Callable[[Any], list[str]]

SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# A small complete configuration: one Hub source, one URL source, a detector for each.
BASE: dict[str, Any] = {
    "models": {
        "sources": [
            {
                "name": "speech",
                "hf": {"repo": "org/speech", "revision": "main", "files": ["model.bin", "a.json"]},
            },
            {"name": "vision", "url": "https://example.com/models/vision.onnx"},
        ]
    },
    "detectors": [
        {"name": "nudity", "type": "nudenet", "model": "vision"},
        {"name": "profanity", "type": "speech-profanity", "model": "speech"},
    ],
}


def changed(*edits: tuple[tuple[str | int, ...], Any]) -> dict[str, Any]:
    """BASE with ``(path, value)`` edits applied; missing mappings are created, and an index one
    past the end of a list appends."""
    data = copy.deepcopy(BASE)
    for path, value in edits:
        node: Any = data
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        if isinstance(node, list) and path[-1] == len(node):
            node.append(value)
        else:
            node[path[-1]] = value
    return data


def url_source(**fields: Any) -> dict[str, Any]:
    return {"name": "vision", "url": "https://example.com/models/vision.onnx", **fields}


def hf_source(**fields: Any) -> dict[str, Any]:
    hf = {"repo": "org/speech", "revision": "main", "files": ["model.bin", "a.json"]}
    hf.update(fields.pop("hf", {}))
    return {"name": "speech", "hf": hf, **fields}


def test_base_configuration_is_valid(load: Load) -> None:
    settings = load(BASE)
    # The file's own entries first, then the defaults it does not name.
    assert [s.name for s in settings.models.sources][:2] == ["speech", "vision"]
    assert [d.name for d in settings.detectors][:2] == ["nudity", "profanity"]


def test_defaults_apply_to_omitted_fields(load: Load) -> None:
    settings = load(BASE)
    hub, download = settings.models.hub, settings.models.download
    assert (hub.endpoint, hub.token_env, hub.metadata_ttl_hours, hub.offline) == (
        "https://huggingface.co",
        "HF_TOKEN",
        24,
        False,
    )
    assert download.max_concurrent_files == 8
    assert download.max_connections_per_file == 8
    assert download.retry_backoff_seconds == (2, 4, 8)
    assert (download.connect_timeout_seconds, download.read_timeout_seconds) == (30, 60)
    assert download.disk_space_factor == 2.0
    assert download.max_redirects == 10
    assert settings.models.cache_dir is None
    assert settings.processing.frame_interval_seconds == 1.0
    assert settings.processing.merge_gap_seconds == 2.0
    assert settings.output.pretty and settings.output.include_confidence
    assert settings.detectors[0].threshold == 0.5
    assert settings.detectors[1].languages == ("en",)
    vision = settings.models.source("vision")
    assert (vision.algorithm, vision.optional, vision.fallbacks) == ("sha256", False, ())
    assert settings.models.source("speech").hf.revision == "main"


def test_settings_are_frozen(load: Load) -> None:
    settings = load(BASE)
    with pytest.raises(ValueError, match="frozen"):
        settings.models.download.max_concurrent_files = 1  # type: ignore[misc]


# -- numeric ranges -------------------------------------------------------------------------------

DL = ("models", "download")
GiB, TiB = 1024**3, 1024**4
RANGES = [
    # (path, rejected value, message fragment, accepted boundary value)
    (("models", "hub", "metadata_ttl_hours"), -1, "from 0 to 8760", 0),
    (("models", "hub", "metadata_ttl_hours"), 8761, "from 0 to 8760", 8760),
    ((*DL, "max_concurrent_files"), 0, "from 1 to 64", 1),
    ((*DL, "max_concurrent_files"), 65, "from 1 to 64", 64),
    ((*DL, "max_connections_per_file"), 0, "from 1 to 64", 1),
    ((*DL, "max_connections_per_file"), 65, "from 1 to 64", 64),
    ((*DL, "segment_threshold_bytes"), 0, f"from 1 to {TiB}", 1),
    ((*DL, "segment_threshold_bytes"), TiB + 1, f"from 1 to {TiB}", TiB),
    ((*DL, "segment_min_bytes"), 65535, f"from 65536 to {TiB}", 65536),
    ((*DL, "connect_timeout_seconds"), 0, "from 0.1 to 86400", 0.1),
    ((*DL, "read_timeout_seconds"), 0, "from 0.1 to 86400", 0.1),
    ((*DL, "read_timeout_seconds"), 86401, "from 0.1 to 86400", 86400),
    ((*DL, "disk_space_factor"), -0.5, "from 0 to 100", 0),
    ((*DL, "disk_space_factor"), 101, "from 0 to 100", 100),
    ((*DL, "lock_timeout_seconds"), 0, "from 0.1 to 86400", 1),
    ((*DL, "max_redirects"), -1, "from 0 to 30", 0),
    ((*DL, "max_redirects"), 31, "from 0 to 30", 30),
    ((*DL, "min_speed_bytes_per_second"), GiB + 1, f"from 0 to {GiB}", GiB),
    ((*DL, "min_speed_window_seconds"), 0, "from 0.1 to 86400", 0.1),
    ((*DL, "max_retry_wait_seconds"), 86401, "from 0 to 86400", 86400),
    ((*DL, "metadata_timeout_seconds"), 0, "from 0.1 to 86400", 0.1),
    ((*DL, "metadata_max_bytes"), GiB + 1, f"from 1024 to {GiB}", GiB),
    (("models", "sources", 1, "size"), -1, f"from 0 to {TiB}", 0),
    (("models", "sources", 1, "size"), TiB + 1, f"from 0 to {TiB}", TiB),
    (("detectors", 0, "threshold"), -0.1, "from 0 to 1", 0),
    (("detectors", 1, "threshold"), 1.5, "from 0 to 1", 1),
    (("detectors", 1, "threads"), 257, "from 0 to 256", 256),
    (("detectors", 1, "window_seconds"), 4, "from 5 to 1800", 6),  # 5 is the default overlap
    (("detectors", 1, "window_seconds"), 1801, "from 5 to 1800", 1800),
    (("detectors", 1, "overlap_seconds"), 61, "from 0 to 60", 60),
    (("processing", "frame_interval_seconds"), 0, "from 0.04 to 600", 0.04),
    (("processing", "frame_interval_seconds"), 601, "from 0.04 to 600", 600),
    (("processing", "merge_gap_seconds"), -1, "from 0 to 600", 0),
    (("processing", "merge_gap_seconds"), 601, "from 0 to 600", 600),
]


def _field(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@pytest.mark.parametrize(("path", "bad", "fragment", "good"), RANGES, ids=lambda v: str(v))
def test_numeric_ranges(
    load: Load, problems: Problems, path: tuple[str | int, ...], bad: Any, fragment: str, good: Any
) -> None:
    assert problems(changed((path, bad))) == [f"{_field(path)}: must be {fragment} (got {bad!r})"]
    settings = load(changed((path, good)))
    node: Any = settings
    for part in path:
        node = node[part] if isinstance(part, int) else getattr(node, part)
    assert node == good


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, -1], "retry_backoff_seconds[1]: must be from 0 to 3600 (got -1)"),
        ([3601], "retry_backoff_seconds[0]: must be from 0 to 3600 (got 3601)"),
        (list(range(11)), "retry_backoff_seconds: tuple should have at most 10 items"),
    ],
)
def test_retry_backoff_bounds(problems: Problems, value: list[int], message: str) -> None:
    (problem,) = problems(changed(((*DL, "retry_backoff_seconds"), value)))
    assert problem.startswith(f"models.download.{message}")


def test_retry_backoff_may_be_empty_to_disable_retries(load: Load) -> None:
    settings = load(changed(((*DL, "retry_backoff_seconds"), [])))
    assert settings.models.download.retry_backoff_seconds == ()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ((*DL, "max_concurrent_files"), "many", "input should be a valid integer"),
        ((*DL, "max_concurrent_files"), 2.5, "input should be a valid integer"),
        (("models", "hub", "offline"), "maybe", "input should be a valid boolean"),
        (("output", "pretty"), [], "input should be a valid boolean"),
        (("models", "sources"), {"name": "x"}, "input should be a valid tuple"),
        (("models",), 3, "input should be a valid dictionary"),
    ],
)
def test_wrong_types(problems: Problems, path: tuple[str, ...], value: Any, expected: str) -> None:
    (problem,) = problems(changed((path, value)))
    assert problem.startswith(f"{_field(path)}: {expected}")


# -- hub ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint", ["ftp://mirror.lan", "huggingface.co", "https://", "file:///x"]
)
def test_hub_endpoint_must_be_http_url(problems: Problems, endpoint: str) -> None:
    assert problems(changed((("models", "hub", "endpoint"), endpoint))) == [
        f"models.hub.endpoint: expected an http(s) URL, got {endpoint!r}"
    ]


def test_hub_endpoint_trailing_slash_is_dropped(load: Load) -> None:
    settings = load(changed((("models", "hub", "endpoint"), "http://mirror.lan:8080/")))
    assert settings.models.hub.endpoint == "http://mirror.lan:8080"


def test_cache_dir_is_a_path(load: Load, tmp_path: Path) -> None:
    settings = load(changed((("models", "cache_dir"), str(tmp_path / "models"))))
    assert settings.models.resolved_cache_dir == tmp_path / "models"


# -- sources: kind, names, references -------------------------------------------------------------

ONE_KIND = "a source needs exactly one of 'hf' (a Hub repository) or 'url'"


def test_source_with_neither_hf_nor_url(problems: Problems) -> None:
    assert problems(changed((("models", "sources", 1), {"name": "vision"}))) == [
        f"models.sources[1]: {ONE_KIND}"
    ]


def test_source_with_both_hf_and_url(problems: Problems) -> None:
    both = url_source(hf={"repo": "org/vision", "files": ["v.onnx"]})
    assert problems(changed((("models", "sources", 1), both))) == [f"models.sources[1]: {ONE_KIND}"]


def test_source_name_is_required(problems: Problems) -> None:
    nameless = {"url": "https://example.com/v.onnx"}
    assert "models.sources[1].name: required field is missing" in problems(
        changed((("models", "sources", 1), nameless))
    )


@pytest.mark.parametrize("name", ["-vision", "my model", "org/model", ".hidden", "", "modèle"])
def test_source_name_pattern(problems: Problems, name: str) -> None:
    (problem,) = problems(changed((("models", "sources", 1, "name"), name)))
    assert problem == (
        f"models.sources[1].name: {name!r} is not a valid name: "
        "use letters, digits, '.', '_' or '-'"
    )


@pytest.mark.parametrize("name", ["v", "whisper-tiny.en", "NudeNet_320n", "7b"])
def test_source_name_accepted(load: Load, name: str) -> None:
    data = changed((("models", "sources", 1, "name"), name), (("detectors", 0, "model"), name))
    assert load(data).models.source(name).name == name


def test_source_names_are_unique(problems: Problems) -> None:
    data = changed(
        (("models", "sources", 1, "name"), "speech"), (("detectors", 0, "model"), "speech")
    )
    assert problems(data) == ["models.sources[1].name: 'speech' is already the name of sources[0]"]


def test_fallbacks_must_name_declared_sources(problems: Problems) -> None:
    data = changed((("models", "sources", 1, "fallbacks"), ["speech", "vision-mirror"]))
    assert problems(data) == [
        "models.sources[1].fallbacks[1]: 'vision-mirror' is not a declared source"
    ]


def test_fallback_cannot_be_the_source_itself(problems: Problems) -> None:
    data = changed((("models", "sources", 1, "fallbacks"), ["vision"]))
    assert problems(data) == ["models.sources[1].fallbacks[0]: 'vision' is itself"]


def test_declared_fallbacks_keep_their_order(load: Load) -> None:
    extra = {"name": "vision-b", "url": "https://b.example.com/v.onnx", "optional": True}
    data = changed(
        (("models", "sources", 1, "fallbacks"), ["vision-b", "speech"]),
        (("models", "sources", 2), extra),
    )
    settings = load(data)
    assert settings.models.source("vision").fallbacks == ("vision-b", "speech")
    assert settings.models.source("vision-b").optional is True


def test_deprecated_replacement_must_be_declared(problems: Problems) -> None:
    data = changed((("models", "sources", 1, "deprecated"), {"replacement": "vision-v2"}))
    assert problems(data) == [
        "models.sources[1].deprecated.replacement: 'vision-v2' is not a declared source"
    ]


def test_deprecated_needs_a_replacement(problems: Problems) -> None:
    data = changed((("models", "sources", 1, "deprecated"), {"reason": "old"}))
    assert problems(data) == ["models.sources[1].deprecated.replacement: required field is missing"]


def test_deprecated_with_declared_replacement(load: Load) -> None:
    deprecation = {"replacement": "speech", "reason": "superseded"}
    settings = load(changed((("models", "sources", 1, "deprecated"), deprecation)))
    deprecated = settings.models.source("vision").deprecated
    assert deprecated is not None
    assert (deprecated.replacement, deprecated.reason) == ("speech", "superseded")


# -- sources: checksums ---------------------------------------------------------------------------

# The digest length of every supported algorithm, written out rather than imported, so a change to
# the table in vcp.core.checksums shows up here.
HEX_LENGTH = {"sha256": 64, "sha1": 40, "sha512": 128, "md5": 32, "blake2b": 128, "git-sha1": 40}


@pytest.mark.parametrize(("algorithm", "length"), HEX_LENGTH.items())
def test_url_checksum_length_per_algorithm(
    load: Load, problems: Problems, algorithm: str, length: int
) -> None:
    good = url_source(algorithm=algorithm, checksum="A" * length)
    source = load(changed((("models", "sources", 1), good))).models.source("vision")
    assert (source.algorithm, source.checksum) == (algorithm, "a" * length)  # lowercased
    assert str(source.expected_checksum("vision.onnx")) == f"{algorithm}:{'a' * length}"

    for wrong in (length - 1, length + 2):
        bad = url_source(algorithm=algorithm, checksum="a" * wrong)
        assert problems(changed((("models", "sources", 1), bad))) == [
            f"models.sources[1].checksum: expected {length} hex digits for {algorithm}, got {wrong}"
        ]


@pytest.mark.parametrize(("algorithm", "length"), HEX_LENGTH.items())
def test_hf_checksums_length_per_algorithm(
    load: Load, problems: Problems, algorithm: str, length: int
) -> None:
    good = hf_source(checksums={"model.bin": f"{algorithm}:{'B' * length}"})
    source = load(changed((("models", "sources", 0), good))).models.source("speech")
    assert source.checksums == {"model.bin": f"{algorithm}:{'b' * length}"}

    bad = hf_source(checksums={"model.bin": f"{algorithm}:{'b' * (length - 1)}"})
    assert problems(changed((("models", "sources", 0), bad))) == [
        f"models.sources[0].checksums['model.bin']: "
        f"expected {length} hex digits for {algorithm}, got {length - 1}"
    ]


def test_bare_hf_checksum_is_sha256(load: Load) -> None:
    good = hf_source(checksums={"a.json": SHA256_EMPTY})
    source = load(changed((("models", "sources", 0), good))).models.source("speech")
    assert source.checksums == {"a.json": f"sha256:{SHA256_EMPTY}"}


def test_checksum_must_be_hex(problems: Problems) -> None:
    bad = url_source(checksum="z" * 64)
    assert problems(changed((("models", "sources", 1), bad))) == [
        f"models.sources[1].checksum: {'z' * 64!r} is not a hex string"
    ]


def test_unknown_algorithm_lists_the_known_ones(problems: Problems) -> None:
    (problem,) = problems(changed((("models", "sources", 1), url_source(algorithm="crc32"))))
    assert problem == (
        "models.sources[1].algorithm: input should be 'sha256', 'sha1', 'sha512', 'md5', "
        "'blake2b' or 'git-sha1' (got 'crc32')"
    )


def test_unknown_algorithm_prefix_in_checksums(problems: Problems) -> None:
    bad = hf_source(checksums={"model.bin": "crc32:0a1b2c3d"})
    (problem,) = problems(changed((("models", "sources", 0), bad)))
    assert problem.startswith("models.sources[0].checksums['model.bin']: unknown algorithm 'crc32'")


class TestPrefixedChecksum:
    """``checksum: "sha256:..."`` (the form ``checksums`` uses) against the ``algorithm`` field."""

    def test_prefixed_sha256_with_default_algorithm(self, load: Load) -> None:
        source = load(
            changed((("models", "sources", 1), url_source(checksum=f"sha256:{SHA256_EMPTY}")))
        )
        vision = source.models.source("vision")
        assert (vision.algorithm, vision.checksum) == ("sha256", SHA256_EMPTY)

    def test_prefix_sets_the_algorithm_when_none_is_given(self, load: Load) -> None:
        md5 = "d41d8cd98f00b204e9800998ecf8427e"
        settings = load(changed((("models", "sources", 1), url_source(checksum=f"MD5:{md5}"))))
        vision = settings.models.source("vision")
        assert (vision.algorithm, vision.checksum) == ("md5", md5)

    def test_prefix_agreeing_with_algorithm(self, load: Load) -> None:
        git = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        data = changed(
            (("models", "sources", 1), url_source(algorithm="git-sha1", checksum=f"git-sha1:{git}"))
        )
        assert load(data).models.source("vision").checksum == git

    def test_prefix_contradicting_algorithm(self, problems: Problems) -> None:
        md5 = "d41d8cd98f00b204e9800998ecf8427e"
        bad = url_source(algorithm="sha256", checksum=f"md5:{md5}")
        assert problems(changed((("models", "sources", 1), bad))) == [
            "models.sources[1].checksum: checksum says md5 but algorithm is sha256"
        ]

    def test_prefix_with_wrong_length(self, problems: Problems) -> None:
        bad = url_source(checksum=f"sha512:{SHA256_EMPTY}")
        assert problems(changed((("models", "sources", 1), bad))) == [
            "models.sources[1].checksum: expected 128 hex digits for sha512, got 64"
        ]


def test_checksums_keys_must_be_listed_in_hf_files(problems: Problems) -> None:
    bad = hf_source(checksums={"modle.bin": f"sha256:{SHA256_EMPTY}"})
    assert problems(changed((("models", "sources", 0), bad))) == [
        "models.sources[0].checksums['modle.bin']: 'modle.bin' is not in hf.files"
    ]


def test_checksums_may_name_files_matched_by_a_pattern(load: Load) -> None:
    source = hf_source(
        hf={"files": ["*.json", "model.bin"]}, checksums={"config.json": f"sha256:{SHA256_EMPTY}"}
    )
    settings = load(changed((("models", "sources", 0), source)))
    assert settings.models.source("speech").expected_checksum("config.json") is not None


def test_url_source_rejects_checksums_mapping(problems: Problems) -> None:
    bad = url_source(checksums={"vision.onnx": f"sha256:{SHA256_EMPTY}"})
    assert problems(changed((("models", "sources", 1), bad))) == [
        "models.sources[1].checksums: url sources use 'checksum' and 'algorithm'"
    ]


@pytest.mark.parametrize(
    ("field", "value"), [("checksum", SHA256_EMPTY), ("size", 10), ("filename", "m.bin")]
)
def test_hf_source_rejects_url_only_fields(problems: Problems, field: str, value: Any) -> None:
    (problem,) = problems(changed((("models", "sources", 0), hf_source(**{field: value}))))
    assert problem.startswith(f"models.sources[0].{field}: '{field}' is for url sources")


def test_url_source_size_and_filename(load: Load) -> None:
    source = url_source(size=12150158, filename="weights/vision.onnx")
    vision = load(changed((("models", "sources", 1), source))).models.source("vision")
    assert vision.size == 12150158
    assert vision.local_filename == "weights/vision.onnx"


def test_url_source_file_name_comes_from_the_url(load: Load) -> None:
    vision = load(BASE).models.source("vision")
    assert vision.local_filename == "vision.onnx"


# -- sources: URLs, repositories and file names ---------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://example.com/v.onnx", "file:///etc/passwd", "example.com/v.onnx", "https://"]
)
def test_url_scheme_must_be_http(problems: Problems, url: str) -> None:
    assert problems(changed((("models", "sources", 1, "url"), url))) == [
        f"models.sources[1].url: expected an http(s) URL, got {url!r}"
    ]


def test_plain_http_url_is_accepted(load: Load) -> None:
    data = changed((("models", "sources", 1, "url"), "http://10.0.0.5:8000/v.onnx"))
    assert load(data).models.source("vision").url == "http://10.0.0.5:8000/v.onnx"


@pytest.mark.parametrize("repo", ["speech", "org/speech/extra", "/speech", "org/", "org /x"])
def test_hf_repo_must_be_org_slash_name(problems: Problems, repo: str) -> None:
    assert problems(changed((("models", "sources", 0, "hf", "repo"), repo))) == [
        f"models.sources[0].hf.repo: expected 'organisation/name', got {repo!r}"
    ]


UNSAFE = "is not a safe relative file name inside the repository"
UNSAFE_NAMES = [
    "../escape.bin",
    "a/../../escape.bin",
    "/etc/passwd",
    "C:/Windows/evil.dll",
    "a\\b.bin",
    "./model.bin",
    "a//b.bin",
    "dir/",
    "../*.bin",  # a pattern that could only match outside the repository
    "/abs/*.onnx",
]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_hf_file_names(problems: Problems, name: str) -> None:
    data = changed((("models", "sources", 0, "hf", "files"), ["model.bin", name]))
    assert problems(data) == [f"models.sources[0].hf.files: {name!r} {UNSAFE}"]


@pytest.mark.parametrize("name", ["../escape.onnx", "/tmp/x.onnx", "a\\b.onnx", ""])
def test_unsafe_url_filename(problems: Problems, name: str) -> None:
    data = changed((("models", "sources", 1, "filename"), name))
    assert problems(data) == [f"models.sources[1].filename: {name!r} {UNSAFE}"]


def test_nested_file_names_and_patterns_are_accepted(load: Load) -> None:
    files = ["onnx/model.onnx", "*.json", "**/*.safetensors", "tokenizer.model"]
    settings = load(changed((("models", "sources", 0, "hf", "files"), files)))
    assert settings.models.source("speech").hf.files == tuple(files)


def test_hf_files_must_not_be_empty(problems: Problems) -> None:
    (problem,) = problems(changed((("models", "sources", 0, "hf", "files"), [])))
    assert problem.startswith("models.sources[0].hf.files: tuple should have at least 1 item")


def test_hf_files_must_not_repeat(problems: Problems) -> None:
    data = changed((("models", "sources", 0, "hf", "files"), ["model.bin", "model.bin"]))
    assert problems(data) == ["models.sources[0].hf.files: a file is listed twice"]


def test_commit_revision_is_recognised(load: Load) -> None:
    commit = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
    pinned = load(changed((("models", "sources", 0, "hf", "revision"), commit)))
    assert pinned.models.source("speech").hf.is_commit
    assert not load(BASE).models.source("speech").hf.is_commit


# -- detectors ------------------------------------------------------------------------------------


def test_detector_model_must_be_declared(problems: Problems) -> None:
    assert problems(changed((("detectors", 0, "model"), "nudenet"))) == [
        "detectors[0].model: 'nudenet' is not a source in models.sources (known: "
        "nudenet-320n, nudenet-320n-release, speech, vision, whisper-tiny-en)"
    ]


def test_detector_model_with_no_sources_declared(problems: Problems) -> None:
    # The file declares no source: the defaults' are the ones known.
    data = {"detectors": [{"name": "nudity", "type": "nudenet", "model": "vision"}]}
    assert problems(data) == [
        "detectors[0].model: 'vision' is not a source in models.sources "
        "(known: nudenet-320n, nudenet-320n-release, whisper-tiny-en)"
    ]


def test_detector_names_are_unique(problems: Problems) -> None:
    assert problems(changed((("detectors", 1, "name"), "nudity"))) == [
        "detectors[1].name: 'nudity' is already the name of detectors[0]"
    ]


def test_nudenet_categories_accept_nudenet_labels(load: Load) -> None:
    categories = {"Nudity": ["FEMALE_BREAST_EXPOSED", "ANUS_EXPOSED"], "Feet": ["FEET_EXPOSED"]}
    settings = load(changed((("detectors", 0, "categories"), categories)))
    assert settings.detectors[0].categories == {  # type: ignore[union-attr]
        "Nudity": ("FEMALE_BREAST_EXPOSED", "ANUS_EXPOSED"),
        "Feet": ("FEET_EXPOSED",),
    }


def test_nudenet_categories_reject_unknown_labels(problems: Problems) -> None:
    categories = {"Nudity": ["FEMALE_BREAST_EXPOSED", "BREAST_EXPOSED"]}
    (problem,) = problems(changed((("detectors", 0, "categories"), categories)))
    assert problem.startswith(
        "detectors[0].categories.Nudity[1]: 'BREAST_EXPOSED' is not a NudeNet label; known: "
        "FEMALE_GENITALIA_COVERED, FACE_FEMALE, "
    )


def test_nudenet_labels_are_case_sensitive(problems: Problems) -> None:
    categories = {"Nudity": ["female_breast_exposed"]}
    (problem,) = problems(changed((("detectors", 0, "categories"), categories)))
    assert "'female_breast_exposed' is not a NudeNet label" in problem


def test_unknown_detector_type(problems: Problems) -> None:
    assert problems(changed((("detectors", 0, "type"), "llava"))) == [
        "detectors[0]: unknown type 'llava'; use one of: nudenet, speech-profanity, subtitles"
    ]


def test_missing_detector_type(problems: Problems) -> None:
    detector = {"name": "feet", "model": "vision"}  # a new detector: no default type to keep
    assert problems(changed((("detectors", 0), detector))) == [
        "detectors[0]: missing 'type'; use one of: nudenet, speech-profanity, subtitles"
    ]


def test_fields_belong_to_their_detector_type(problems: Problems) -> None:
    # `batch_size` is a nudenet field; on a speech detector it is a mistake, not a no-op.
    data = changed((("detectors", 1, "batch_size"), 8))
    (problem,) = problems(data)
    assert problem.startswith("detectors[1].batch_size: unknown field 'batch_size'")


def test_speech_detector_languages(load: Load) -> None:
    settings = load(changed((("detectors", 1, "languages"), ["en", "de"])))
    assert settings.detectors[1].languages == ("en", "de")  # type: ignore[union-attr]


def test_detector_can_be_disabled(load: Load) -> None:
    settings = load(changed((("detectors", 0, "enabled"), False)))
    assert settings.detectors[0].enabled is False


# -- unknown keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "typo", "meant"),
    [
        ((), "modles", "models"),
        (("models",), "cache_dirr", "cache_dir"),
        (("models", "hub"), "endpont", "endpoint"),
        (("models", "download"), "max_redirect", "max_redirects"),
        (("models", "sources", 1), "checksun", "checksum"),
        (("models", "sources", 0, "hf"), "revison", "revision"),
        (("detectors", 0), "treshold", "threshold"),
        (("detectors", 1), "language", "languages"),
        (("processing",), "merge_gap", "merge_gap_seconds"),
        (("output",), "prety", "pretty"),
    ],
)
def test_unknown_keys_suggest_the_field_meant(
    problems: Problems, path: tuple[str | int, ...], typo: str, meant: str
) -> None:
    where = _field((*path, typo))
    assert problems(changed(((*path, typo), 1))) == [
        f"{where}: unknown field {typo!r}; did you mean {meant!r}?"
    ]


def test_unknown_key_in_deprecated_suggests_field(problems: Problems) -> None:
    data = changed((("models", "sources", 1, "deprecated"), {"replacment": "speech"}))
    assert (
        "models.sources[1].deprecated.replacment: unknown field 'replacment'; did you mean"
        " 'replacement'?" in problems(data)
    )


def test_unknown_key_without_a_close_match_lists_the_fields(problems: Problems) -> None:
    assert problems(changed((("output", "colour"), True))) == [
        "output.colour: unknown field 'colour'; known fields: include_confidence, pretty"
    ]


def test_every_problem_is_reported_at_once(problems: Problems) -> None:
    data = changed(
        (("models", "download", "max_concurrent_files"), 0),
        (("models", "sources", 1, "checksum"), "abc"),
        (("processing", "merge_gap"), 1),
    )
    fields = [p.split(":")[0] for p in problems(data)]
    assert fields == [
        "models.download.max_concurrent_files",
        "models.sources[1].checksum",
        "processing.merge_gap",
    ]
