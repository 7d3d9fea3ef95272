"""The plain script users run today, as the faster-whisper README writes it: the whole file
transcribed at once (no VAD, beam 5, word timestamps), the words matched against a word list.

    python scripts/quality/plain.py MODEL_DIR FILM OUT.json

The word list is vcp's own (``WordMatcher``), so the comparison is between two ways of
transcribing, not two lists. Every listed word whisper writes is kept: the script has no
threshold. Writes ``{"detections": [{start, end, category, label, word, score}, ...]}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(model_dir: str, film: str, out: str) -> int:
    from faster_whisper import WhisperModel

    from vcp.analysis.detectors.words import Word, WordMatcher

    model = WhisperModel(model_dir, device="cpu", compute_type="int8")
    segments, _ = model.transcribe(film, beam_size=5, word_timestamps=True, language="en")
    words = [
        Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
        for segment in segments
        for w in segment.words or ()
    ]
    matcher = WordMatcher.build()
    detections = [
        {
            "start": hit.start,
            "end": hit.end,
            "category": hit.category,
            "label": hit.label,
            "word": hit.text,
            "score": hit.score,
        }
        for hit in matcher.match(words)
    ]
    transcript = [[w.text, w.start, w.end, w.probability] for w in words]
    Path(out).write_text(json.dumps({"detections": detections, "words": transcript}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
