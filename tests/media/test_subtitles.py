"""Subtitle text as ``vcp.media.subtitles`` reads and writes it: markup stripped, and packet
payloads of each codec masked in place."""

from __future__ import annotations

from vcp_testing.subtitles import MASK

from vcp.media.subtitles import mask_packet, visible


def test_markup_is_not_what_a_viewer_reads() -> None:
    assert visible("{\\an8}What the <i>fuck</i>\\Nis th{\\b1}is{\\b0}?")[0] == (
        "What the fuck is this?"
    )


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
