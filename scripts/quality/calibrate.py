"""Which espeak-ng voices the corpus uses: each voice's word accuracy with tiny.en, measured.

Many espeak-ng voices are hard for a person, let alone tiny.en, to follow (some accents' words
are recognised 45% of the time, clean). A corpus of such voices measures the synthesiser, not the
detector. So each accent x variant speaks sentences without a listed word (rate 165, pitch 50),
whisper (the default model, beam 5) transcribes them, and the share of words it gets right is
written to ``voices.json``; the corpus keeps the voices at or above ``corpus.MIN_ACCURACY``.

    python scripts/quality/calibrate.py MODEL_DIR   # about 10 minutes on 2 cores
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quality import corpus

SENTENCES = (
    *corpus.NEAR_MISSES[:5],
    "Turn the music down, the neighbours are asleep.",
    "The train is cancelled again, so we will walk home.",
)
CRITERION = (
    "tiny.en int8 (beam 5) word accuracy on 7 clean non-target sentences, rate 165 wpm, "
    "pitch 50; voices at or above MIN_ACCURACY are used"
)


def _norm(text: str) -> list[str]:
    return [corpus._norm(w) for w in text.replace("'s", "s").split()]


def accuracy(model: object, speaker: corpus.Speaker, voice: corpus.Voice) -> float:
    """Share of the reference words whisper writes, in order, for ``voice``."""
    right = total = 0
    for text in SENTENCES:
        said = corpus.trim(speaker.speak(text, voice)).samples.astype(np.float32) / 32768
        audio = np.concatenate([np.zeros(8000, np.float32), said, np.zeros(8000, np.float32)])
        at = np.arange(int(len(audio) * 16000 / corpus.VOICE_RATE)) * corpus.VOICE_RATE / 16000
        x = np.interp(at, np.arange(len(audio)), audio).astype(np.float32)
        segments, _ = model.transcribe(x, language="en", beam_size=5)  # type: ignore[attr-defined]
        heard = _norm(" ".join(s.text for s in segments))
        wanted = _norm(text)
        blocks = difflib.SequenceMatcher(a=wanted, b=heard).get_matching_blocks()
        right, total = right + sum(b.size for b in blocks), total + len(wanted)
    return right / total


def main(model_dir: str) -> int:
    from faster_whisper import WhisperModel

    model = WhisperModel(model_dir, device="cpu", compute_type="int8")
    speaker = corpus.Speaker()
    found: dict[str, float] = {}
    for accent in corpus.ACCENTS:
        for variant in corpus.VARIANTS:
            voice = corpus.Voice(accent, variant, 165, 50)
            found[voice.name] = round(accuracy(model, speaker, voice), 3)
            print(f"{voice.name}: {found[voice.name]:.2f}", flush=True)
    out = {"criterion": CRITERION, "accuracy": found}
    corpus.VOICES_FILE.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
