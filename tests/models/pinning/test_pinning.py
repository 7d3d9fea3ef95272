"""Pinning without a network: plans computed from a Hub file list, edits applied to commented YAML.

The rewritten text is compared with the expected text exactly: a user reviews the diff of their
config, so every comment, blank line and value not being pinned must come out as it went in.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import pytest
from vcp_testing.hashes import git_sha1, sha256

from vcp.cli.exit_codes import exit_code
from vcp.config.loader import declared_in_file, settings_from_document
from vcp.config.schema import ModelSource
from vcp.config.settings import Settings
from vcp.config.yaml_io import YamlDocument, dump_yaml, parse_yaml
from vcp.core.checksums import Checksum
from vcp.core.hub_names import url_folder
from vcp.errors import ConfigError
from vcp.models.cache.store import ModelCache
from vcp.models.hub.api import HubFile, RepoSnapshot
from vcp.models.pinning.plan import Mismatch, UrlPin, hub_line, plan_hub, plan_url, stale_pins
from vcp.models.pinning.report import Status
from vcp.models.pinning.upgrade import plan_upgrade
from vcp.models.pinning.yaml_edits import apply_hub, apply_upgrade, apply_url

TODAY = date(2026, 11, 23)
C1 = "1" * 39 + "a"
C2 = "2" * 39 + "b"


CONFIG = b'{"hidden": 4}\n'
WEIGHTS = b"\x00" * 1000
EXTRA = b"\x01" * 500
ONNX = b"\x02" * 700
LABELS = b"cat\ndog\n"


def lfs(path: str, data: bytes) -> HubFile:
    return HubFile(path, len(data), Checksum("sha256", sha256(data)), True)


def regular(path: str, data: bytes) -> HubFile:
    return HubFile(path, len(data), Checksum("git-sha1", git_sha1(data)), False)


SPEECH = RepoSnapshot(
    "acme/speech",
    "main",
    C1,
    (regular("config.json", CONFIG), lfs("z.bin", EXTRA), lfs("weights.bin", WEIGHTS)),
    0.0,
)
VISION = RepoSnapshot(
    "acme/vision", "main", C2, (lfs("model.onnx", ONNX), regular("labels.txt", LABELS)), 0.0
)

COMMENTED = f"""\
# vcp config for the demo
models:
  sources:
    # Speech model, tracking main for now
    - name: speech
      hf:
        repo: acme/speech
        revision: main   # moves often
        # weights and config
        files: [config.json, "*.bin"]
      optional: false

    # Vision: no revision given (main)
    - name: vision
      hf:
        repo: acme/vision
        files: [model.onnx, labels.txt]
      checksums:
        # the weights
        model.onnx: sha256:{sha256(ONNX)}

      # keep this one
      fallbacks: [speech]
"""

PINNED = f"""\
# vcp config for the demo
models:
  sources:
    # Speech model, tracking main for now
    - name: speech
      hf:
        repo: acme/speech
        revision: {C1}  # main, pinned 2026-11-23; moves often
        # weights and config
        files: [config.json, "*.bin"]
      checksums:
        config.json: git-sha1:{git_sha1(CONFIG)}
        weights.bin: sha256:{sha256(WEIGHTS)}
        z.bin: sha256:{sha256(EXTRA)}
      optional: false

    # Vision: no revision given (main)
    - name: vision
      hf:
        repo: acme/vision
        revision: {C2}  # main, pinned 2026-11-23
        files: [model.onnx, labels.txt]
      checksums:
        # the weights
        model.onnx: sha256:{sha256(ONNX)}
        labels.txt: git-sha1:{git_sha1(LABELS)}

      # keep this one
      fallbacks: [speech]
"""


def load(text: str) -> tuple[YamlDocument, Settings]:
    doc = parse_yaml(text, source="vcp.yaml")
    return doc, declared_in_file(doc, settings_from_document(doc))


def source_node(doc: YamlDocument, index: int):  # type: ignore[no-untyped-def]
    return doc.tree["models"]["sources"][index]


def hub_source(files: list[str], checksums: dict[str, str], revision: str = "main") -> ModelSource:
    return ModelSource(
        name="speech",
        hf={"repo": "acme/speech", "revision": revision, "files": files},
        checksums=checksums,
    )


# -- plans ---------------------------------------------------------------------------------------


def test_a_branch_without_pins_gets_its_commit_and_a_checksum_per_selected_file() -> None:
    pin = plan_hub(hub_source(["config.json", "*.bin"], {}), SPEECH)
    assert pin.commit == C1
    assert not pin.revision_pinned and not pin.stale
    # hf.files order first, names sorted within a pattern: the checksums read like hf.files
    assert list(pin.checksums) == ["config.json", "weights.bin", "z.bin"]
    assert pin.checksums["config.json"] == f"git-sha1:{git_sha1(CONFIG)}"
    assert pin.checksums["weights.bin"] == f"sha256:{sha256(WEIGHTS)}"
    assert pin.missing == ("config.json", "weights.bin", "z.bin")
    assert pin.changes(force=False)


def test_agreeing_pins_at_a_commit_change_nothing() -> None:
    checksums = {"config.json": f"git-sha1:{git_sha1(CONFIG)}", "z.bin": f"sha256:{sha256(EXTRA)}"}
    pin = plan_hub(hub_source(["config.json", "z.bin"], checksums, revision=C1), SPEECH)
    assert pin.complete and not pin.changes(force=False)
    assert hub_line(pin, check=False).status is Status.ALREADY
    assert hub_line(pin, check=True).status is Status.PINNED


def test_a_pin_the_hub_disagrees_with_is_stale_and_shows_both_values() -> None:
    wrong = "sha256:" + "f" * 64
    pin = plan_hub(hub_source(["weights.bin"], {"weights.bin": wrong}, revision=C1), SPEECH)
    assert pin.mismatches == (Mismatch("weights.bin", wrong, f"sha256:{sha256(WEIGHTS)}"),)
    line = hub_line(pin, check=True)
    assert line.status is Status.STALE
    assert wrong in str(line) and sha256(WEIGHTS) in str(line) and "weights.bin" in str(line)
    error = stale_pins([pin])
    assert exit_code(error) == 3 and error.file == "weights.bin"
    assert wrong in str(error) and sha256(WEIGHTS) in str(error)
    assert "--force" in (error.hint or "") and "nothing was written" in (error.hint or "")


def test_a_pin_in_another_algorithm_is_kept_not_compared() -> None:
    md5 = "md5:" + hashlib.md5(WEIGHTS).hexdigest()
    pin = plan_hub(hub_source(["weights.bin"], {"weights.bin": md5}, revision=C1), SPEECH)
    assert pin.complete and pin.mismatches == ()


def test_a_pinned_file_the_patterns_no_longer_select_is_stale() -> None:
    gone = "sha256:" + "e" * 64
    checksums = {"old.bin": gone, "z.bin": f"sha256:{sha256(EXTRA)}"}
    pin = plan_hub(hub_source(["*.bin"], checksums, revision=C1), SPEECH)
    assert pin.mismatches == (Mismatch("old.bin", gone, None),)
    assert "hf.files no longer selects it" in str(hub_line(pin, check=True))


def test_a_listed_file_missing_from_the_repo_is_unmatched_not_also_an_extra_pin() -> None:
    pin = plan_hub(hub_source(["gone.bin"], {"gone.bin": "sha256:" + "e" * 64}), SPEECH)
    assert pin.unmatched == ("gone.bin",) and pin.mismatches == ()
    assert "matches nothing in acme/speech" in str(hub_line(pin, check=True))


def test_check_lists_why_a_source_is_unpinned() -> None:
    pin = plan_hub(hub_source(["config.json"], {}), SPEECH)
    line = hub_line(pin, check=True)
    assert line.status is Status.UNPINNED
    assert f"revision 'main' is not a commit (now {C1[:12]})" in line.detail
    assert "no checksum for config.json" in line.detail


# -- edits on the YAML tree ----------------------------------------------------------------------


def test_pinning_a_commented_config_changes_only_revisions_and_checksums() -> None:
    doc, settings = load(COMMENTED)
    speech, vision = settings.models.sources
    apply_hub(source_node(doc, 0), plan_hub(speech, SPEECH), force=False, today=TODAY)
    apply_hub(source_node(doc, 1), plan_hub(vision, VISION), force=False, today=TODAY)
    assert dump_yaml(doc.tree) == PINNED


def test_the_pinned_text_is_a_valid_config_that_pins_everything() -> None:
    doc, settings = load(PINNED)
    speech, vision = settings.models.sources
    assert plan_hub(speech, SPEECH).complete and plan_hub(vision, VISION).complete
    assert dump_yaml(doc.tree) == PINNED  # loading alone changes nothing


def test_a_new_pin_replaces_the_note_of_an_earlier_one() -> None:
    earlier = "main   # main, pinned 2026-01-02; moves often"
    text = COMMENTED.replace("main   # moves often", earlier)
    doc, settings = load(text)
    apply_hub(
        source_node(doc, 0), plan_hub(settings.models.sources[0], SPEECH), force=False, today=TODAY
    )
    assert f"revision: {C1}  # main, pinned 2026-11-23; moves often\n" in dump_yaml(doc.tree)


def test_force_replaces_a_stale_checksum_and_drops_a_pin_no_longer_selected() -> None:
    text = f"""\
models:
  sources:
    - name: speech
      hf:
        repo: acme/speech
        revision: {C1}  # pinned by hand
        files: ["*.bin"]
      checksums:
        old.bin: sha256:{"e" * 64}
        weights.bin: sha256:{"f" * 64}   # was this
        z.bin: sha256:{sha256(EXTRA)}
      # the end
"""
    doc, settings = load(text)
    pin = plan_hub(settings.models.sources[0], SPEECH)
    assert pin.stale
    apply_hub(source_node(doc, 0), pin, force=True, today=TODAY)
    assert dump_yaml(doc.tree) == (
        text.replace(f"        old.bin: sha256:{'e' * 64}\n", "").replace("f" * 64, sha256(WEIGHTS))
    )
    assert hub_line(pin, check=False, force=True).status is Status.PINNED


def test_a_flow_style_hf_mapping_opens_up_to_show_the_pinned_commit() -> None:
    text = """\
models:
  sources:
    - name: speech
      hf: {repo: acme/speech, files: [config.json]}   # compact
      optional: true
"""
    doc, settings = load(text)
    apply_hub(
        source_node(doc, 0), plan_hub(settings.models.sources[0], SPEECH), force=False, today=TODAY
    )
    out = dump_yaml(doc.tree)
    assert out.splitlines()[3:7] == [
        "      hf:                                             # compact",
        "        repo: acme/speech",
        f"        revision: {C1}    # main, pinned 2026-11-23",
        "        files: [config.json]",
    ]
    _, again = load(out)
    assert plan_hub(again.models.sources[0], SPEECH).complete


# -- URL sources ---------------------------------------------------------------------------------

URL_CONFIG = """\
models:
  sources:
    - name: tool
      url: https://example.org/releases/tool.onnx   # upstream
      allow_unverified: true

      # next
"""


def test_a_url_source_is_pinned_from_its_verified_download(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path)
    doc, settings = load(URL_CONFIG)
    source = settings.models.sources[0]
    assert plan_url(source, cache) == UrlPin("tool", None, None)  # nothing downloaded yet
    blob = cache.folder(url_folder("tool")) / "tool.onnx"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(ONNX)
    cache.record(blob, Checksum("sha256", sha256(ONNX)))
    pin = plan_url(source, cache)
    assert pin.recorded == Checksum("sha256", sha256(ONNX))
    apply_url(source_node(doc, 0), pin, today=TODAY)
    assert dump_yaml(doc.tree) == URL_CONFIG.replace(
        "   # upstream\n",
        f"   # upstream\n      checksum: sha256:{sha256(ONNX)}  "
        "# the verified download's, pinned 2026-11-23\n",
    )


def test_a_url_download_changed_since_it_was_verified_is_not_trusted(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path)
    _, settings = load(URL_CONFIG)
    blob = cache.folder(url_folder("tool")) / "tool.onnx"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(ONNX)
    cache.record(blob, Checksum("sha256", sha256(ONNX)))
    blob.write_bytes(ONNX + b"tampered")
    os.utime(blob, ns=(1, 1))
    pin = plan_url(settings.models.sources[0], cache)
    assert pin.recorded is None
    assert pin.line(check=False).status is Status.UNPINNED


def test_a_url_source_with_a_checksum_is_already_pinned(tmp_path: Path) -> None:
    text = URL_CONFIG.replace("allow_unverified: true", f"checksum: {sha256(ONNX)}")
    _, settings = load(text)
    pin = plan_url(settings.models.sources[0], ModelCache(tmp_path))
    assert pin.line(check=False).status is Status.ALREADY
    assert pin.line(check=True).status is Status.PINNED


# -- deprecated sources --------------------------------------------------------------------------

DEPRECATED = """\
models:
  sources:
    - name: new
      url: https://example.org/new.onnx
      allow_unverified: true
      fallbacks: [older]   # the old one, just in case
    - name: old
      url: https://example.org/old.onnx
      allow_unverified: true
      deprecated: {replacement: new, reason: retrained}
    - name: older
      url: https://example.org/older.onnx
      allow_unverified: true
      deprecated: {replacement: old}
    - name: other
      url: https://example.org/other.onnx
      allow_unverified: true
      fallbacks:
        - new
        - old     # second choice
        - older
detectors:
  - name: nudity
    type: nudenet
    model: older   # the detector's model
"""


def test_upgrade_follows_replacement_chains_and_keeps_comments() -> None:
    doc, settings = load(DEPRECATED)
    refs = plan_upgrade(settings)
    assert [(r.owner, r.old, r.new) for r in refs] == [
        ("nudity", "older", "new"),
        ("new", "older", None),  # `new` would be its own fallback
        ("other", "old", None),  # `other` already falls back to `new`
        ("other", "older", None),
    ]
    apply_upgrade(doc.tree, refs)
    # A shorter value leaves its comment where it was; the removed entry's comment goes with it.
    assert dump_yaml(doc.tree) == (
        DEPRECATED.replace("fallbacks: [older]   #", "fallbacks: []        #")
        .replace("        - old     # second choice\n        - older\n", "")
        .replace("model: older   #", "model: new     #")
    )


def test_upgrade_renames_a_fallback_and_keeps_the_comment_clear_of_the_longer_name() -> None:
    text = """\
models:
  sources:
    - name: replacement
      url: https://example.org/new.onnx
      allow_unverified: true
    - name: old
      url: https://example.org/old.onnx
      allow_unverified: true
      deprecated: {replacement: replacement}
    - name: user
      url: https://example.org/user.onnx
      allow_unverified: true
      fallbacks: [old]  # backup
"""
    doc, settings = load(text)
    refs = plan_upgrade(settings)
    assert [str(r) for r in refs] == ["models.sources[2].fallbacks[0] (user)"]
    apply_upgrade(doc.tree, refs)
    assert dump_yaml(doc.tree) == text.replace("[old]  #", "[replacement]  #")


def test_a_loop_of_replacements_is_a_config_error() -> None:
    text = DEPRECATED.replace("{replacement: new, reason: retrained}", "{replacement: older}")
    _, settings = load(text)
    with pytest.raises(ConfigError, match="old -> older -> old"):
        plan_upgrade(settings)


def test_the_former_module_names_are_still_importable_from_the_package() -> None:
    from vcp.models.pinning import PinOptions, PinReport, StalePins, Status, pin_file
    from vcp.models.pinning.pin import pin_file as the_one

    assert pin_file is the_one and PinReport and PinOptions and Status
    assert StalePins.__module__ == "vcp.errors"


def test_upgrade_keeps_flow_style_maps_and_lists_in_flow_style() -> None:
    # issue #9: "pin --upgrade turns flow maps into block style"; a file written in flow style
    # must keep it, with only the names changed.
    text = """\
models:
  sources:
    - {name: new, url: "https://example.org/new.onnx", allow_unverified: true}
    - {name: old, url: "https://example.org/old.onnx", allow_unverified: true}
    - {name: other, url: "https://example.org/o.onnx", allow_unverified: true, fallbacks: [old]}
detectors: [{name: nudity, type: nudenet, model: old}]
"""
    deprecated = text.replace(
        "allow_unverified: true}\n    - {name: other",
        "allow_unverified: true, deprecated: {replacement: new}}\n    - {name: other",
    )
    doc, settings = load(deprecated)
    apply_upgrade(doc.tree, plan_upgrade(settings))
    out = dump_yaml(doc.tree)
    assert "detectors: [{name: nudity, type: nudenet, model: new}]" in out
    assert "fallbacks: [new]}" in out
    assert "    - {name: new," in out and "\n      name:" not in out
