"""Pure pieces: markup stripped, words masked inside markup, packet payloads, hits placed on the
spoken word."""

from __future__ import annotations

from vcp.analysis.detectors.base import Detection
from vcp.analysis.detectors.subtitles import masker_of
from vcp.analysis.detectors.words import WordMatcher
from vcp.analysis.subtitle_hits import place_subtitle_hits
from vcp.media.subtitles import mask_packet, visible

MASK = masker_of(WordMatcher.build())


def test_markup_is_not_what_a_viewer_reads() -> None:
    assert visible("{\\an8}What the <i>fuck</i>\\Nis th{\\b1}is{\\b0}?")[0] == (
        "What the fuck is this?"
    )


def test_listed_words_are_masked_and_the_markup_around_them_kept() -> None:
    assert MASK("What the {\\i1}fuck{\\i0} is this?") == "What the {\\i1}f***{\\i0} is this?"
    assert MASK("Oh, sh{\\b1}it{\\b0}! A classic assistant.") == (
        "Oh, s*{\\b1}**{\\b0}! A classic assistant."
    )
    assert masker_of(WordMatcher.build(), style="keep-ends")("Fucking hell") == "F*****g hell"


def test_a_mov_text_payload_keeps_its_length_prefix_and_style_boxes_right() -> None:
    text = "Shit, café".encode()
    styles = b"\x00\x00\x00\x16styl\x00\x01\x00\x00\x00\x04\x00\x01\x02\x10\xff\xff\xff\xff"
    masked = mask_packet("mov_text", len(text).to_bytes(2, "big") + text + styles, MASK)
    assert masked == len(text).to_bytes(2, "big") + "S***, café".encode() + styles


def test_an_ass_payload_is_masked_only_in_its_text_field() -> None:
    payload = b"3,0,Default,Shit,0,0,0,,Holy shit"
    assert mask_packet("ass", payload, MASK) == b"3,0,Default,Shit,0,0,0,,Holy s***"


def test_bytes_that_are_not_utf8_survive_a_masked_packet() -> None:
    assert mask_packet("subrip", b"caf\xe9 shit", MASK) == b"caf\xe9 s***"


def _hit(detector: str, start: float, end: float, label: str = "fuck*") -> Detection:
    return Detection(detector, "profanity", label, 0.9, start, end, word="fuck")


def test_a_subtitle_hit_speech_heard_moves_onto_the_spoken_word() -> None:
    spoken = _hit("profanity", 11.2, 11.5)
    read = _hit("subtitles", 10.0, 13.0)
    out = place_subtitle_hits([spoken, read], subtitles={"subtitles"}, speech={"profanity"})
    assert out[0] == spoken
    assert (out[1].start, out[1].end, out[1].detector) == (11.2, 11.5, "subtitles")


def test_a_subtitle_hit_speech_missed_keeps_its_cue() -> None:
    read = _hit("subtitles", 10.0, 13.0)
    elsewhere = _hit("profanity", 40.0, 40.3)
    other = Detection("profanity", "blasphemy", "god damn", 0.9, 11.0, 11.4)
    out = place_subtitle_hits(
        [elsewhere, other, read], subtitles={"subtitles"}, speech={"profanity"}
    )
    assert out[2] == read


def test_one_spoken_word_confirms_one_subtitle_hit() -> None:
    spoken = _hit("profanity", 11.2, 11.5)
    twice = [_hit("subtitles", 10.0, 13.0), _hit("subtitles", 10.0, 13.0)]
    out = place_subtitle_hits([spoken, *twice], subtitles={"subtitles"}, speech={"profanity"})
    assert sorted((d.start, d.end) for d in out[1:]) == [(10.0, 13.0), (11.2, 11.5)]
