"""Reading files: located errors (``file:line:col: field: message``), malformed YAML, missing files,
and round-tripping a commented file through the YAML adapter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.cli.exit_codes import exit_code
from vcp.config import load_document, load_settings
from vcp.config.loader import format_loc
from vcp.config.yaml_io import load_yaml, write_yaml
from vcp.errors import ConfigError

WriteConfig = Callable[..., Path]

REPO = Path(__file__).parents[2]


def located(path: Path) -> list[str]:
    """Every problem line a user reads for ``path``; fails the test if it validates."""
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return [str(p) for p in info.value.problems]


# -- wrong values, located ------------------------------------------------------------------------


def test_wrong_checksum_points_at_its_line_and_column(write_config: WriteConfig) -> None:
    path = write_config(
        """
        models:
          sources:
            - name: tiny
              url: https://example.com/tiny.onnx
              checksum: abcdef123456
        """
    )
    assert located(path) == [
        f"{path}:5:7: models.sources[0].checksum: expected 64 hex digits for sha256, got 12"
    ]


def test_error_deep_in_a_realistic_file(write_config: WriteConfig) -> None:
    # The shape of the example in the issue: line 14, column 9, a checksum inside `checksums`.
    path = write_config(
        """
        # my settings
        models:
          cache_dir: /data/models
          sources:
            - name: nudenet-320n
              hf:
                repo: deepghs/nudenet_onnx
                files: [320n.onnx]

            - name: whisper
              hf:
                repo: Systran/faster-whisper-tiny.en
                files: [model.bin]
              checksums:
                model.bin: sha256:1a5afae06a4d
        """
    )
    assert located(path) == [
        f"{path}:15:9: models.sources[1].checksums['model.bin']: "
        "expected 64 hex digits for sha256, got 12"
    ]


def test_unknown_key_points_at_the_key(write_config: WriteConfig) -> None:
    path = write_config(
        """
        models:
          download:
            max_concurrent_files: 4
            max_conections_per_file: 4
        """
    )
    assert located(path) == [
        f"{path}:4:5: models.download.max_conections_per_file: "
        "unknown field 'max_conections_per_file'; did you mean 'max_connections_per_file'?"
    ]


def test_keys_inside_flow_mappings_are_located(write_config: WriteConfig) -> None:
    path = write_config(
        """
        models:
          sources:
            - name: a
              hf: {repo: org/a, files: [ok.bin, ../evil.bin]}
        """
    )
    assert located(path) == [
        f"{path}:4:25: models.sources[0].hf.files: "
        "'../evil.bin' is not a safe relative file name inside the repository",
    ]


def test_cross_reference_errors_point_at_the_reference(write_config: WriteConfig) -> None:
    path = write_config(
        """
        models:
          sources:
            - name: a
              url: https://example.com/a.onnx
              fallbacks: [a-mirror]
        """
    )
    assert located(path) == [
        f"{path}:5:19: models.sources[0].fallbacks[0]: 'a-mirror' is not a declared source",
    ]


def test_detector_reference_is_located(write_config: WriteConfig) -> None:
    path = write_config(
        """
        models:
          sources:
            - name: a
              url: https://example.com/a.onnx
        detectors:
          - name: nudity
            type: nudenet
            model: b
        """
    )
    assert located(path) == [
        f"{path}:8:5: detectors[0].model: 'b' is not a source in models.sources "
        "(known: a, nudenet-320n, nudenet-320n-release, whisper-tiny-en)"
    ]


def test_several_problems_each_with_its_own_line(write_config: WriteConfig) -> None:
    path = write_config(
        """
        models:
          hub:
            endpoint: ftp://mirror
          download:
            max_concurrent_files: 0
        processing:
          frame_interval_seconds: 0
        output:
          pretty: true
          colour: true
        """
    )
    assert located(path) == [
        f"{path}:3:5: models.hub.endpoint: expected an http(s) URL, got 'ftp://mirror'",
        f"{path}:5:5: models.download.max_concurrent_files: must be from 1 to 64 (got 0)",
        f"{path}:7:3: processing.frame_interval_seconds: must be from 0.04 to 600 (got 0)",
        f"{path}:10:3: output.colour: unknown field 'colour'; known fields: "
        "include_confidence, pretty",
    ]


def test_config_error_message_and_hint(write_config: WriteConfig) -> None:
    path = write_config("output:\n  pretty: maybe\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    error = info.value
    assert (
        str(error) == f"{path}:2:3: output.pretty: input should be a valid boolean, unable to "
        "interpret input (got 'maybe')"
    )
    assert exit_code(error) == 2
    assert error.where == str(path)
    assert "vcp config show" in (error.hint or "")


# -- malformed YAML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "problem"),
    [
        ("models:\n  cache_dir: /tmp/x\n hub: {}\n", "3:2", "expected <block end>"),
        ("models:\n  cache_dir: [unclosed\n  hub: {}\n", "3:6", "expected ',' or ']'"),
        ("models:\n  cache_dir: a\n  cache_dir: b\n", "3:3", 'found duplicate key "cache_dir"'),
        ("models:\n\tcache_dir: a\n", "2:1", "found character '\\t' that cannot start any token"),
        ("output: pretty: true\n", "1:15", "mapping values are not allowed here"),
        ("models: {cache_dir: x\n", "2:1", "expected ',' or '}'"),
    ],
    ids=["indentation", "unclosed-list", "duplicate-key", "tab", "nested-colon", "unclosed-map"],
)
def test_malformed_yaml_is_located(
    write_config: WriteConfig, text: str, position: str, problem: str
) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    (line,) = str(info.value).splitlines()
    assert line.startswith(f"{path}:{position}: invalid YAML: {problem}")
    assert info.value.hint == "fix the YAML syntax at that line"


@pytest.mark.parametrize("text", ["- models\n- detectors\n", "just a string\n", "42\n"])
def test_top_level_must_be_a_mapping(write_config: WriteConfig, text: str) -> None:
    path = write_config(text)
    assert located(path) == [
        f"{path}:1:1: the top level must be a mapping (models:, detectors:, ...)"
    ]


def test_empty_file_means_the_built_in_default(write_config: WriteConfig) -> None:
    settings = load_settings(write_config("# nothing configured yet\n"))
    assert settings == load_settings(None)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}: configuration file not found"
    assert info.value.hint == "check the path given with -c/--config or VCP_CONFIG"
    assert exit_code(info.value) == 2


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("output:\n  pretty: true  # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=rf"^{path}: cannot read: .*utf-8"):
        load_settings(path)


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=rf"^{tmp_path}: cannot read: "):
        load_settings(tmp_path)


def test_builtin_default_names_itself_as_the_source() -> None:
    assert load_document(None).source == "<built-in default.yaml>"


# -- field paths as printed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        (("models", "sources", 1, "checksum"), "models.sources[1].checksum"),
        (
            ("models", "sources", 0, "checksums", "model.bin"),
            "models.sources[0].checksums['model.bin']",
        ),
        (
            ("detectors", 0, "nudenet", "categories", "Nudity", 2),
            "detectors[0].categories.Nudity[2]",
        ),
        (("detectors", 1, "speech-profanity", "languages"), "detectors[1].languages"),
        (("modles",), "modles"),
    ],
)
def test_format_loc(loc: tuple[str | int, ...], text: str) -> None:
    assert format_loc(loc) == text


# -- the YAML adapter keeps comments --------------------------------------------------------------

COMMENTED = """\
# Team settings: keep this header.
models:
  cache_dir: null          # null = platform default
  hub:
    endpoint: http://models.lan:8080   # the LAN mirror
  sources:
    # Speech first.
    - name: whisper
      hf:
        repo: Systran/faster-whisper-tiny.en
        revision: main     # pin me
        files: [config.json, model.bin]
"""


def test_round_trip_keeps_the_file_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    write_yaml(load_yaml(path), path)
    assert path.read_text(encoding="utf-8") == COMMENTED


def test_edit_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    doc = load_yaml(path)
    doc.tree["models"]["sources"][0]["hf"]["revision"] = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
    write_yaml(doc, path)

    expected = COMMENTED.replace(
        "revision: main     # pin me",
        "revision: 0d3d19a32d3338f10357c0889762bd8d64bbdeba # pin me",
    )
    assert path.read_text(encoding="utf-8") == expected
    assert load_settings(path).models.sources[0].hf.is_commit  # type: ignore[union-attr]
    assert [p.name for p in tmp_path.iterdir()] == ["team.yaml"]  # no temporary file left behind


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "configs").glob("*.yaml")))
def test_shipped_configs_survive_a_rewrite_unchanged(tmp_path: Path, name: str) -> None:
    # Later commands (`models pin`) rewrite users' files: a rewrite must change nothing by itself.
    original = (REPO / "configs" / name).read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(original, encoding="utf-8")
    write_yaml(load_yaml(path), path)
    assert path.read_text(encoding="utf-8") == original


@pytest.mark.parametrize(
    "content",
    [b"- just\n- a list\n", b"\xff\xfe not utf-8", b"key: \x00"],
    ids=["top-level-list", "not-utf8", "control-character"],
)
def test_a_problem_without_a_field_gets_a_hint_that_names_no_field(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "vcp.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.problems[0].field == ""
    assert info.value.hint and "field named above" not in info.value.hint
