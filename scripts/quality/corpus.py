"""The quality benchmark's corpus: films of synthetic speech whose every word time is known.

Each sentence is spoken by espeak-ng through its C library (``libespeak-ng``), whose synthesis
callback reports, for every word, the sample at which it starts: the truth comes from the
synthesiser itself, not from a recogniser. Sentences are continuous speech (no word is spliced in),
spoken by many voices (the 8 English accents x 11 voice variants that tiny.en understands well
enough: see ``calibrate.py``), at different rates and pitches.

A corpus has two speech tracks, made from one seeded list of sentences:

- ``dialogue``: sentences with short pauses, as in a conversation. Three films use it: ``clean``,
  ``noise`` (pink noise at 10 dB SNR) and ``music`` (a music-like background at 5 dB SNR), so
  the conditions differ only by what is under the words.
- ``film``: the same kind of sentences laid out as in a film: long silences and music-only
  stretches between lines, quiet music under some of them.

Sentences either carry one target (a listed word or phrase at the start, middle or end) or are
clean "near misses" full of words that look or sound like listed ones ("Scunthorpe", "cocktail",
"Dickens", "shiitake"). Times in ``truth.json`` are seconds from the start of the film; a target's
``voiced`` list holds the 10 ms frames of the clean speech track where the word is audible.
"""

from __future__ import annotations

import ctypes
import json
import random
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

CORPUS_VERSION = 2  # bump when the corpus changes: cached films are rebuilt
VOICE_RATE = 22050  # espeak-ng's output rate
FILM_RATE = 48000
FRAME = 0.01  # seconds per frame of the voiced masks
VOICED_DBFS = -45.0  # a 10 ms frame of clean speech louder than this is audible speech

ACCENTS = (
    "en-us",
    "en",  # en-gb: espeak-ng names the British voice "en"
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-rp",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
VARIANTS = ("m1", "m2", "m3", "m4", "m7", "f1", "f2", "f3", "f4", "Annie", "Andy")
# The voices used: those tiny.en understands (calibrate.py measures each one's word accuracy on
# clean sentences without listed words; voices.json holds the result). Below 70% a voice tests
# the synthesiser more than the detector.
VOICES_FILE = Path(__file__).with_name("voices.json")
MIN_ACCURACY = 0.70
RATES = (145, 185)  # words per minute, both ends allowed (espeak-ng's default is 175)
PITCHES = (35, 65)  # 0..99; 50 is the voice's own

# (text as spoken, category): what a censor must find. Compounds and phrases included.
TARGETS: tuple[tuple[str, str], ...] = (
    ("fuck", "profanity"),
    ("fucking", "profanity"),
    ("fucked", "profanity"),
    ("motherfucker", "profanity"),
    ("motherfucking", "profanity"),
    ("shit", "profanity"),
    ("bullshit", "profanity"),
    ("damn", "profanity"),
    ("dammit", "profanity"),
    ("bitch", "profanity"),
    ("son of a bitch", "profanity"),
    ("asshole", "profanity"),
    ("bastard", "profanity"),
    ("dickhead", "profanity"),
    ("crap", "profanity"),
    ("piss off", "profanity"),
    ("pissed", "profanity"),
    ("bloody hell", "profanity"),
    ("bollocks", "profanity"),
    ("wanker", "profanity"),
    ("prick", "profanity"),
    ("jackass", "profanity"),
    ("whore", "profanity"),
    ("what the hell", "profanity"),
    ("goddamn", "blasphemy"),
    ("god damn it", "blasphemy"),
    ("jesus christ", "blasphemy"),
    ("oh my god", "blasphemy"),
    ("for christ's sake", "blasphemy"),
    ("christ almighty", "blasphemy"),
)

# Where the target goes: {W} is replaced by it. Start, middle and end of a sentence.
CARRIERS: dict[str, tuple[str, ...]] = {
    "start": (
        "{W}, I forgot my keys at the office again.",
        "{W}, look at the time, we are late for dinner.",
        "{W}, that truck nearly hit the front gate.",
        "{W}, the printer jammed in the middle of the report.",
        "{W}, nobody told me the meeting was moved.",
        "{W}, the water is coming in through the roof.",
    ),
    "middle": (
        "I told you this {W} engine would never start in the cold.",
        "She said that {W} landlord raised the rent again.",
        "We walked for hours and then {W} it started raining.",
        "Tell your {W} brother to bring the ladder back.",
        "He looked at the bill and said {W} and paid it anyway.",
        "The coach shouted {W} when the ball went over the fence.",
    ),
    "end": (
        "Turn the music down, you {W}.",
        "After all that work the whole thing broke, {W}.",
        "He lost the tickets again, {W}.",
        "Get out of my kitchen, {W}.",
        "The train is cancelled again, {W}.",
        "You left the door wide open, {W}.",
    ),
}

# Clean sentences whose words look or sound like listed ones: a report of any of them is a false
# detection.
NEAR_MISSES: tuple[str, ...] = (
    "My assistant from Scunthorpe teaches a class on classic cocktails.",
    "The duck and the truck were shipped to Amsterdam by mistake.",
    "Charles Dickens wrote about the peacock in the cockpit.",
    "Pass the shiitake mushrooms and the fork, please.",
    "The bass player sat on the sheet music in the basement.",
    "They built a dam across the river near the mass grave of old ships.",
    "Hello, the witch on the pitch is ordering a glass of grass juice.",
    "She assessed the passport and assumed it was from Sussex.",
    "The titmouse hopped past the cassette player in the hallway.",
    "The dictionary on the desk belongs to Mister Dickson.",
    "The Hancock family keeps a shell collection by the lake.",
    "A hassle with the Wankel engine made the mechanic sigh.",
    "The goddess in the painting holds a shiny sickle.",
    "My cousin from Essex sells cockles at the harbour.",
    "The prickly pear grows well in dry sandy soil.",
    "Put the scraps in the bin and shut the door.",
    "The hitchhiker asked for a shot of espresso.",
    "We bought a cocker spaniel named Biscuit.",
    "Count the bags of rice in the storage room.",
    "The Dickinson poems were assigned for the class tonight.",
)

# Near-miss sentences per round of targets, and where targets sit; see build_sentences.
NEAR_MISS_SHARE = 0.4


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice: accent, variant, words per minute, pitch (0-99)."""

    accent: str
    variant: str
    rate: int
    pitch: int

    @property
    def name(self) -> str:
        return f"{self.accent}+{self.variant}"


@dataclass(frozen=True)
class Sentence:
    """One line of the corpus: its text, voice, and the target it carries (None: a near miss)."""

    text: str
    voice: Voice
    target: str | None = None
    category: str | None = None
    position: str | None = None  # start, middle, end


@dataclass
class Spoken:
    """A sentence as synthesised: samples (int16, VOICE_RATE) and each word's first sample."""

    samples: NDArray[np.int16]
    words: list[tuple[str, int]]  # (word as written, first sample)


@dataclass
class Target:
    """Where a target lies in a film (seconds), and its audible 10 ms frames."""

    text: str
    category: str
    position: str
    voice: str
    start: float
    end: float
    voiced: list[int] = field(default_factory=list)  # frame numbers (FRAME seconds each)


@dataclass
class Line:
    """A sentence as placed in a film."""

    text: str
    voice: str
    start: float
    end: float
    near_miss: bool


def build_sentences(seed: int, *, rounds: int) -> list[Sentence]:
    """``rounds`` x every target (each at a random position, in a random carrier and voice),
    mixed with near misses, in a seeded random order."""
    rng = random.Random(seed)
    names = voices()
    sentences: list[Sentence] = []
    for _ in range(rounds):
        for text, category in TARGETS:
            position = rng.choice(tuple(CARRIERS))
            carrier = rng.choice(CARRIERS[position])
            spoken = text.capitalize() if position == "start" else text
            line = carrier.replace("{W}", spoken)
            sentences.append(Sentence(line, _voice(rng, names), text, category, position))
    near = round(len(sentences) * NEAR_MISS_SHARE)
    sentences += [Sentence(rng.choice(NEAR_MISSES), _voice(rng, names)) for _ in range(near)]
    rng.shuffle(sentences)
    return sentences


def voices() -> list[str]:
    """The calibrated voices (``accent+variant``) at or above ``MIN_ACCURACY``, sorted."""
    measured: dict[str, float] = json.loads(VOICES_FILE.read_text())["accuracy"]
    return sorted(name for name, share in measured.items() if share >= MIN_ACCURACY)


def _voice(rng: random.Random, names: list[str]) -> Voice:
    accent, variant = rng.choice(names).split("+")
    return Voice(accent, variant, rng.randint(*RATES), rng.randint(*PITCHES))


# -- espeak-ng through its C library ----------------------------------------------------------


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)
_SYNCHRONOUS, _EVENT_END_LIST, _EVENT_WORD = 2, 0, 1
_RATE, _PITCH = 1, 3


class Speaker:
    """espeak-ng in synchronous mode: text in, samples and word start samples out."""

    def __init__(self) -> None:
        self._lib = ctypes.CDLL("libespeak-ng.so.1")
        rate = self._lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0)
        if rate != VOICE_RATE:
            raise RuntimeError(f"espeak-ng speaks at {rate} Hz, expected {VOICE_RATE}")
        self._chunks: list[NDArray[np.int16]] = []
        self._events: list[tuple[int, int, int]] = []  # text position (1-based), length, sample
        self._callback = _CALLBACK(self._collect)  # kept alive as long as the library may call
        self._lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _EVENT_END_LIST:
            event = events[i]
            if event.type == _EVENT_WORD:
                self._events.append((event.text_position, event.length, event.sample))
            i += 1
        return 0

    def speak(self, text: str, voice: Voice) -> Spoken:
        """``text`` in ``voice``; the samples and where each word starts."""
        self._chunks, self._events = [], []
        if self._lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {voice.name!r}")
        self._lib.espeak_SetParameter(_RATE, voice.rate, 0)
        self._lib.espeak_SetParameter(_PITCH, voice.pitch, 0)
        data = text.encode("utf-8")
        self._lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, 0, None, None)
        self._lib.espeak_Synchronize()
        samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        words = [(data[p - 1 : p - 1 + n].decode(), s) for p, n, s in self._events]
        return Spoken(samples, words)


# -- laying sentences out ------------------------------------------------------------------------


def frame_levels(samples: NDArray[np.int16]) -> NDArray[np.float64]:
    """dBFS of each FRAME-long frame of ``samples`` (VOICE_RATE)."""
    size = round(FRAME * VOICE_RATE)
    n = len(samples) // size
    frames = samples[: n * size].astype(np.float64).reshape(n, size) / 32768.0
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def target_span(spoken: Spoken, sentence: Sentence) -> tuple[int, int]:
    """First and last+1 sample of the target's words in ``spoken``: from the first word's start
    to the next word's start (or the end), tightened to audible frames."""
    words = [w for w, _ in spoken.words]
    first, after = _find(words, (sentence.target or "").split())
    begin = spoken.words[first][1]
    end = spoken.words[after][1] if after < len(words) else len(spoken.samples)
    levels = frame_levels(spoken.samples[begin:end])
    loud = np.flatnonzero(levels > VOICED_DBFS)
    size = round(FRAME * VOICE_RATE)
    if len(loud) == 0:
        return begin, end
    return begin + loud[0] * size, begin + (loud[-1] + 1) * size


def _find(words: list[str], wanted: list[str]) -> tuple[int, int]:
    """Where the target's first word is, and the index just after its last one. espeak-ng
    reports no event for some short words ("a" in "son of a bitch"), so the words between the
    first and the last are not compared."""
    norm = [_norm(w) for w in words]
    first, last = _norm(wanted[0]), _norm(wanted[-1])
    for i, word in enumerate(norm):
        if word != first:
            continue
        for j in range(i, min(i + len(wanted), len(norm))):
            if norm[j] == last:
                return i, j + 1
    raise ValueError(f"{' '.join(wanted)!r} not among the spoken words {words}")


def _norm(word: str) -> str:
    return "".join(c for c in word.casefold() if c.isalnum())


def trim(spoken: Spoken) -> Spoken:
    """``spoken`` without leading and trailing silence (word positions moved with it)."""
    levels = frame_levels(spoken.samples)
    loud = np.flatnonzero(levels > VOICED_DBFS - 10)
    if len(loud) == 0:
        return spoken
    size = round(FRAME * VOICE_RATE)
    begin, end = loud[0] * size, min(len(spoken.samples), (loud[-1] + 2) * size)
    words = [(w, max(s - begin, 0)) for w, s in spoken.words]
    return Spoken(spoken.samples[begin:end], words)


# -- backgrounds ---------------------------------------------------------------------------------


def pink_noise(n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` samples of pink (1/f) noise, unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.arange(len(spectrum))
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / np.sqrt(np.mean(noise**2))


def music(n: int, rate: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` samples of something music-like: chords of harmonic tones changing every beat or
    two, a melody line in the speech band, and drum hits (filtered noise bursts). Unit RMS."""
    out = np.zeros(n)
    beat = round(rate * 60 / rng.integers(80, 130))
    roots = [45, 50, 52, 55, 57, 48, 53]  # MIDI note numbers
    t = np.arange(beat * 2) / rate
    at = 0
    while at < n:
        root = int(rng.choice(roots))
        length = min(beat * int(rng.integers(1, 3)), n - at)
        chunk = np.zeros(length)
        for note in (root, root + 4, root + 7, root + 12 + int(rng.choice([0, 2, 4, 7, 9]))):
            f = 440.0 * 2 ** ((note - 69) / 12)
            for h in range(1, 5):
                chunk += np.sin(2 * np.pi * f * h * t[:length] + rng.uniform(0, 6.3)) / h
        melody = 440.0 * 2 ** ((root + 24 + int(rng.choice([0, 2, 4, 5, 7])) - 69) / 12)
        chunk += 1.5 * np.sin(2 * np.pi * melody * t[:length]) * np.exp(-t[:length] * 3)
        envelope = np.minimum(1.0, np.arange(length) / (0.02 * rate))
        out[at : at + length] += chunk * envelope
        hit = min(round(0.08 * rate), length)
        out[at : at + hit] += (
            rng.standard_normal(hit) * np.exp(-np.arange(hit) / (0.015 * rate)) * 6
        )
        at += length
    return out / np.sqrt(np.mean(out**2))


# -- films -------------------------------------------------------------------------------------


@dataclass
class Track:
    """A speech track (float, FILM_RATE) and what is where on it."""

    speech: NDArray[np.float64]
    targets: list[Target]
    lines: list[Line]
    speech_mask: NDArray[np.bool_]  # FRAME-long frames where speech is audible
    quiet_music: list[tuple[float, float]] = field(default_factory=list)  # (start, end) seconds
    music_only: list[tuple[float, float]] = field(default_factory=list)


def lay_out(spoken: list[tuple[Sentence, Spoken]], *, film: bool, rng: random.Random) -> Track:
    """Sentences one after another: short pauses (``film=False``), or film-like stretches of
    silence and music between lines (``film=True``)."""
    ratio = FILM_RATE / VOICE_RATE
    pieces: list[tuple[int, Sentence, Spoken]] = []
    at = round(1.0 * FILM_RATE)
    music_only: list[tuple[float, float]] = []
    quiet: list[tuple[float, float]] = []
    for sentence, said in spoken:
        pieces.append((at, sentence, said))
        length = round(len(said.samples) * ratio)
        pause = rng.uniform(0.35, 1.4)
        if film and rng.random() < 0.35:
            pause = rng.uniform(4.0, 25.0)
            if rng.random() < 0.5:  # a music-only stretch in the pause
                begin = at + length + round(1.0 * FILM_RATE)
                music_only.append((begin / FILM_RATE, begin / FILM_RATE + pause - 2.0))
        if film and rng.random() < 0.25:
            quiet.append((at / FILM_RATE - 0.5, (at + length) / FILM_RATE + 0.5))
        at += length + round(pause * FILM_RATE)
    total = at + round(1.0 * FILM_RATE)
    speech = np.zeros(total)
    targets: list[Target] = []
    lines: list[Line] = []
    for begin, sentence, said in pieces:
        audio = _resample(said.samples, ratio)
        speech[begin : begin + len(audio)] += audio
        start = begin / FILM_RATE
        lines.append(
            Line(
                sentence.text,
                sentence.voice.name,
                start,
                start + len(audio) / FILM_RATE,
                sentence.target is None,
            )
        )
        if sentence.target is not None:
            first, last = target_span(said, sentence)
            targets.append(
                Target(
                    sentence.target,
                    sentence.category or "",
                    sentence.position or "",
                    sentence.voice.name,
                    round(start + first / VOICE_RATE, 4),
                    round(start + last / VOICE_RATE, 4),
                )
            )
    mask = _speech_mask(speech)
    for target in targets:
        frames = range(int(target.start / FRAME), int(np.ceil(target.end / FRAME)))
        target.voiced = [f for f in frames if f < len(mask) and mask[f]]
    return Track(speech, targets, lines, mask, quiet, music_only)


def _resample(samples: NDArray[np.int16], ratio: float) -> NDArray[np.float64]:
    x = samples.astype(np.float64) / 32768.0
    positions = np.arange(round(len(x) * ratio)) / ratio
    return np.interp(positions, np.arange(len(x)), x)


def _speech_mask(speech: NDArray[np.float64]) -> NDArray[np.bool_]:
    size = round(FRAME * FILM_RATE)
    n = len(speech) // size
    rms = np.sqrt(np.mean(speech[: n * size].reshape(n, size) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9)) > VOICED_DBFS


def speech_power(track: Track) -> float:
    """Mean square of the speech where it is audible."""
    size = round(FRAME * FILM_RATE)
    n = len(track.speech_mask)
    frames = track.speech[: n * size].reshape(n, size)
    return float(np.mean(frames[track.speech_mask] ** 2))


def mix(track: Track, condition: str, seed: int) -> NDArray[np.float64]:
    """The film's audio for ``condition``: clean, noise (10 dB SNR), music (5 dB SNR), film."""
    rng = np.random.default_rng(seed)
    n = len(track.speech)
    power = speech_power(track)
    out = track.speech.copy()
    if condition == "noise":
        out += pink_noise(n, rng) * np.sqrt(power / 10 ** (10 / 10))
    elif condition == "music":
        out += music(n, FILM_RATE, rng) * np.sqrt(power / 10 ** (5 / 10))
    elif condition == "film":
        background = music(n, FILM_RATE, rng)
        gain = np.zeros(n)
        for start, end in track.music_only:
            gain[round(start * FILM_RATE) : round(end * FILM_RATE)] = 1.0  # as loud as speech
        for start, end in track.quiet_music:
            a, b = max(round(start * FILM_RATE), 0), round(end * FILM_RATE)
            gain[a:b] = np.maximum(gain[a:b], 10 ** (-12 / 20))  # 12 dB under the speech
        out += background * gain * np.sqrt(power)
    peak = np.max(np.abs(out))
    return out * (0.7 / peak if peak > 0.7 else 1.0)


def encode_film(path: Path, audio: NDArray[np.float64]) -> None:
    """A small H.264 picture (one frame a second) and ``audio`` as AAC, in an mp4."""
    import av

    seconds = len(audio) / FILM_RATE
    tmp = path.with_name(f".{path.name}.tmp.mp4")
    with av.open(str(tmp), "w") as out:
        video = out.add_stream("libx264", rate=1)
        video.width, video.height, video.pix_fmt = 160, 90, "yuv420p"
        video.options = {"threads": "1", "preset": "ultrafast"}
        sound = out.add_stream("aac", rate=FILM_RATE, layout="mono")
        sound.bit_rate = 128000
        picture = np.zeros((90, 160, 3), np.uint8)
        for i in range(int(np.ceil(seconds))):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 1)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        block = 1024 * 16
        for at in range(0, len(audio), block):
            chunk = audio[at : at + block].astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = FILM_RATE, at, Fraction(1, FILM_RATE)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    tmp.replace(path)


# -- the whole corpus ----------------------------------------------------------------------------

CONDITIONS = ("clean", "noise", "music", "film")


def build(folder: Path, *, rounds: int, seed: int) -> dict[str, Path]:
    """Write every condition's film and ``truth.json`` into ``folder`` (kept: rebuilt only when
    the version, rounds or seed change); returns condition -> film."""
    films = {c: folder / f"{c}.mp4" for c in CONDITIONS}
    truth_path = folder / "truth.json"
    key = {"version": CORPUS_VERSION, "rounds": rounds, "seed": seed}
    kept = truth_path.exists() and all(f.exists() for f in films.values())
    if kept and json.loads(truth_path.read_text()).get("key") == key:
        return films
    folder.mkdir(parents=True, exist_ok=True)
    speaker = Speaker()
    said = [(s, trim(speaker.speak(s.text, s.voice))) for s in build_sentences(seed, rounds=rounds)]
    dialogue = lay_out(said, film=False, rng=random.Random(seed + 1))
    film = lay_out(said, film=True, rng=random.Random(seed + 2))
    truth: dict[str, Any] = {"key": key, "frame": FRAME, "conditions": {}}
    for i, condition in enumerate(CONDITIONS):
        track = film if condition == "film" else dialogue
        encode_film(films[condition], mix(track, condition, seed + 10 + i))
        truth["conditions"][condition] = {
            "film": films[condition].name,
            "duration": len(track.speech) / FILM_RATE,
            "targets": [asdict(t) for t in track.targets],
            "lines": [asdict(line) for line in track.lines],
            "speech_frames": np.flatnonzero(track.speech_mask).tolist(),
        }
    truth_path.write_text(json.dumps(truth))
    return films
