"""The shipped configuration: it validates, configs/default.yaml is the packaged file, and its pins
are the ones in ../shared/reference/default-models.md. Every example in configs/ validates too."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from vcp.config import NudeNetSettings, Settings, load_settings
from vcp.config.loader import declared_in_file, default_config_text
from vcp.config.yaml_io import load_yaml
from vcp.core.labels import NUDENET_LABELS

REPO = Path(__file__).parents[2]
CONFIGS = REPO / "configs"
# CI clones the repository with ../shared beside it.
REFERENCE = REPO.parent / "shared" / "reference" / "default-models.md"
EXAMPLES = ["custom-url.yaml", "pinned-with-fallback.yaml", "private-repo.yaml", "team-mirror.yaml"]


# -- what default-models.md says ------------------------------------------------------------------


@dataclass(frozen=True)
class WhisperFile:
    name: str
    size: int
    sha256: str
    git_sha1: str | None  # None for LFS files, which the Hub identifies by sha256


@dataclass(frozen=True)
class Reference:
    whisper_repo: str
    whisper_commit: str
    whisper_files: tuple[WhisperFile, ...]
    nudenet_repo: str
    nudenet_file: str
    nudenet_size: int
    nudenet_sha256: str
    nudenet_labels: tuple[str, ...]


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}.*?(?=^## |\Z)", text, re.M | re.S)
    assert match, f"default-models.md has no section starting {heading!r}"
    return match.group(0)


def _whisper_table(section: str) -> tuple[WhisperFile, ...]:
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not re.fullmatch(r"[0-9a-f]{64}", cells[2]):
            continue  # the header, the separator, prose
        name = cells[0].removesuffix("(LFS)").strip()
        git = cells[3] if re.fullmatch(r"[0-9a-f]{40}", cells[3]) else None
        rows.append(WhisperFile(name, int(cells[1].replace(",", "")), cells[2], git))
    return tuple(rows)


def parse_reference(text: str) -> Reference:
    speech = _section(text, "Speech:")
    vision = _section(text, "Vision:")
    nudenet = re.search(
        r"`(?P<file>[\w.]+\.onnx)`: (?P<size>[\d,]+) bytes, sha256 `(?P<sha>[0-9a-f]{64})`", vision
    )
    labels = re.search(r"Labels, in output order: (?P<labels>[A-Z_,\s]+)\.", vision)
    repo = re.search(r"^## Speech: (\S+)", speech, re.M)
    commit = re.search(r"Revision \(commit\): `([0-9a-f]{40})`", speech)
    mirror = re.search(r"Hub mirror: `([^`]+)`", vision)
    assert nudenet and labels and repo and commit and mirror, "default-models.md changed shape"
    return Reference(
        whisper_repo=repo.group(1),
        whisper_commit=commit.group(1),
        whisper_files=_whisper_table(speech),
        nudenet_repo=mirror.group(1),
        nudenet_file=nudenet["file"],
        nudenet_size=int(nudenet["size"].replace(",", "")),
        nudenet_sha256=nudenet["sha"],
        nudenet_labels=tuple(label.strip() for label in labels["labels"].split(",")),
    )


@pytest.fixture(scope="module")
def reference() -> Reference:
    if not REFERENCE.is_file():
        if os.environ.get("CI"):  # CI always has it: its absence must not pass silently there
            pytest.fail(f"{REFERENCE} is absent in CI")
        pytest.skip(f"{REFERENCE} is absent: clone the shared reference beside the repository")
    ref = parse_reference(REFERENCE.read_text(encoding="utf-8"))
    assert len(ref.whisper_files) == 4, "expected four whisper files in default-models.md"
    return ref


@pytest.fixture
def default() -> Settings:
    return load_settings(None)


# -- the packaged default -------------------------------------------------------------------------


def test_packaged_default_validates(default: Settings) -> None:
    assert [s.name for s in default.models.sources] == [
        "whisper-tiny-en",
        "nudenet-320n",
        "nudenet-320n-release",
    ]
    assert [(d.name, d.type, d.model) for d in default.detectors] == [
        ("nudity", "nudenet", "nudenet-320n"),
        ("profanity", "speech-profanity", "whisper-tiny-en"),
        ("subtitles", "subtitles", None),
    ]


def test_configs_default_is_byte_identical_to_the_packaged_one() -> None:
    assert (CONFIGS / "default.yaml").read_bytes() == default_config_text().encode("utf-8")


def test_default_uses_the_platform_cache(default: Settings) -> None:
    assert default.models.cache_dir is None
    assert default.models.hub.endpoint == "https://huggingface.co"
    assert default.models.hub.token_env == "HF_TOKEN"


def test_whisper_is_pinned_to_the_reference_commit(default: Settings, reference: Reference) -> None:
    hf = default.models.source("whisper-tiny-en").hf
    assert hf is not None
    assert (hf.repo, hf.revision) == (reference.whisper_repo, reference.whisper_commit)
    assert hf.is_commit
    assert set(hf.files) == {f.name for f in reference.whisper_files}


def test_whisper_hashes_match_the_reference(default: Settings, reference: Reference) -> None:
    # LFS files are pinned by sha256, regular git files by their blob id, as the Hub names them.
    expected = {
        f.name: f"git-sha1:{f.git_sha1}" if f.git_sha1 else f"sha256:{f.sha256}"
        for f in reference.whisper_files
    }
    assert default.models.source("whisper-tiny-en").checksums == expected


def test_nudenet_hub_source_matches_the_reference(default: Settings, reference: Reference) -> None:
    source = default.models.source("nudenet-320n")
    assert source.hf is not None
    assert source.hf.repo == reference.nudenet_repo
    assert source.hf.files == (reference.nudenet_file,)
    assert source.checksums == {reference.nudenet_file: f"sha256:{reference.nudenet_sha256}"}
    assert source.fallbacks == ("nudenet-320n-release",)


def test_nudenet_release_fallback_matches_the_reference(
    default: Settings, reference: Reference
) -> None:
    release = default.models.source("nudenet-320n-release")
    assert release.url == (
        "https://github.com/notAI-tech/NudeNet/releases/download/v3.4-weights/"
        + reference.nudenet_file
    )
    assert (release.algorithm, release.checksum) == ("sha256", reference.nudenet_sha256)
    assert release.size == reference.nudenet_size
    assert release.optional


def test_nudenet_labels_match_the_reference(default: Settings, reference: Reference) -> None:
    assert reference.nudenet_labels == NUDENET_LABELS
    (nudity,) = [d for d in default.detectors if isinstance(d, NudeNetSettings)]
    assert set(nudity.categories["nudity"]) <= set(reference.nudenet_labels)
    assert all(label.endswith("_EXPOSED") for label in nudity.categories["nudity"])


def test_llava_is_only_a_commented_example(default: Settings) -> None:
    text = default_config_text()
    lines = [line for line in text.splitlines() if "llava-hf/llava-1.5-7b-hf" in line]
    assert lines, "the LLaVA example source is missing from the default config"
    assert all(line.lstrip().startswith("#") for line in lines)
    assert not any("llava" in s.name for s in default.models.sources)


# -- every file in configs/ -----------------------------------------------------------------------


def test_the_examples_exist() -> None:
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(["default.yaml", *EXAMPLES])


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIGS.glob("*.yaml")))
def test_every_config_is_complete(name: str) -> None:
    settings = load_settings(CONFIGS / name)
    declared = {s.name for s in settings.models.sources}
    assert settings.detectors, f"{name} declares no detectors"
    assert {d.model for d in settings.detectors if d.model is not None} <= declared
    assert {"nudenet", "speech-profanity"} <= {d.type for d in settings.detectors}


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIGS.glob("*.yaml")))
def test_every_config_is_explained(name: str) -> None:
    text = (CONFIGS / name).read_text(encoding="utf-8")
    assert text.startswith("#"), f"{name} should open with a comment saying what it is for"
    assert max(len(line) for line in text.splitlines()) <= 100


def test_custom_url_example() -> None:
    settings = load_settings(CONFIGS / "custom-url.yaml")
    urls = [s for s in settings.models.sources if s.url]
    verified = [s for s in urls if s.checksum and s.size]
    assert verified and all(s.algorithm == "sha256" for s in verified)
    (unverified,) = [s for s in urls if s.allow_unverified]
    assert unverified.url is not None and unverified.url.endswith("/v3.4-weights/640m.onnx")
    assert unverified.checksum is None and unverified.optional


def test_private_repo_example_uses_its_own_token_variable() -> None:
    settings = load_settings(CONFIGS / "private-repo.yaml")
    assert settings.models.hub.token_env == "ACME_HF_TOKEN"
    text = (CONFIGS / "private-repo.yaml").read_text(encoding="utf-8")
    assert "HF_TOKEN" in text and "accept" in text  # explains the default and gated repos
    assert "hf_" not in text.replace("hf_...", "")  # no token pasted into the example


def test_team_mirror_example() -> None:
    settings = load_settings(CONFIGS / "team-mirror.yaml")
    assert settings.models.hub.endpoint == "http://models.lan:8080"
    assert settings.models.download != load_settings(None).models.download  # tuned
    assert "vcp mirror serve --root ~/.cache/vcp/models" in (
        CONFIGS / "team-mirror.yaml"
    ).read_text(encoding="utf-8")
    own = declared_in_file(load_yaml(CONFIGS / "team-mirror.yaml"), settings).models.sources
    assert own and all(s.hf and s.checksums for s in own)  # pinned: mirrors can't lie


def test_pinned_with_fallback_example(reference: Reference) -> None:
    settings = load_settings(CONFIGS / "pinned-with-fallback.yaml")
    whisper = settings.models.source("whisper-tiny-en")
    assert whisper.hf is not None and whisper.hf.is_commit
    assert whisper.hf.revision == reference.whisper_commit
    assert (
        set(whisper.checksums) == set(whisper.hf.files) == {f.name for f in reference.whisper_files}
    )
    nudenet = settings.models.source("nudenet-320n")
    (fallback,) = (settings.models.source(name) for name in nudenet.fallbacks)
    assert fallback.url and fallback.checksum == reference.nudenet_sha256
    assert fallback.size == reference.nudenet_size
