# Everything a fresh machine needs lives here: `make test` installs, then runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test docs-check lint demo bench sample bench-analyze bench-quality soak soak-media cpu-variance bench-cluster

install: $(STAMP)

# Re-installs only when the dependency list changes; the project itself is editable.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,ray]' > $(VENV)/pip.log 2>&1 \
		|| { grep -v "is ignored: it is neither" $(VENV)/pip.log; exit 1; }
	$(BIN)/python -c "import vcp, aiohttp, av, onnxruntime, faster_whisper, pytest, aioresponses, ray"
	touch $(STAMP)

# The review page is tested in a real browser: Debian's chromium, installed when missing; vcp's
# mpv script in a real mpv (Debian's, a few MB beside chromium's libraries).
test: install
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null 2>&1) \
		|| echo "chromium not available: browser tests will skip"
	@command -v mpv >/dev/null || apt-get install -y -qq --no-install-recommends mpv >/dev/null 2>&1 \
		|| echo "mpv not available: the mpv script's tests will skip"
	$(BIN)/python -m pytest

# Every command and Python snippet of README.md and docs/*.md, run as written (also part of `test`).
docs-check: install
	$(BIN)/python -m pytest tests/docs

lint: install
	$(BIN)/ruff check vcp tests scripts
	$(BIN)/ruff format --check vcp tests scripts
	$(BIN)/mypy vcp

# vcp's main command on the built-in demo: a local mirror seeded with the default models, then
# `vcp analyze tests/fixtures/sample.mp4 --download-models` against it with the default
# configuration (run it twice: the second run downloads nothing; DEMO_ARGS=--fresh starts over).
demo: install
	$(BIN)/python scripts/demo.py $(DEMO_ARGS)

# One large download from the local mirror: vcp vs huggingface_hub (and aria2c if on PATH).
# Prints the markdown table of docs/benchmarks.md; e.g. make bench BENCH_ARGS="--size-mib 256"
# aria2c is one of the clients compared; it is installed from Debian when possible, else skipped.
bench: install
	@command -v aria2c >/dev/null || apt-get install -y -qq aria2 >/dev/null 2>&1 \
		|| echo "aria2c not available: its rows will be skipped"
	$(BIN)/python scripts/bench_download.py $(BENCH_ARGS)

# Rebuilds tests/fixtures/sample.mp4 and sample.truth.json (both committed: tests need neither tool).
sample: install
	@command -v espeak-ng >/dev/null || apt-get install -y -qq espeak-ng >/dev/null
	@$(BIN)/python -c "import skimage" 2>/dev/null || $(BIN)/python -m pip install --quiet scikit-image
	$(BIN)/python scripts/make_sample.py

# Analysis speed: time to first detection (readiness-driven vs download-then-analyse) on a throttled
# mirror, and throughput on a generated 1-hour 720p film (kept in .bench/analyze). Prints the
# markdown of docs/benchmarks.md; e.g. make bench-analyze BENCH_ARGS="--quick"
bench-analyze: install
	@command -v espeak-ng >/dev/null || apt-get install -y -qq espeak-ng >/dev/null
	$(BIN)/python scripts/bench_analyze.py $(BENCH_ARGS)

# What the speech detector finds: a corpus of espeak-ng speech in many voices (clean, noise, music,
# film-like), vcp and the plain faster-whisper script side by side, the censored copy's silencing
# and two runs compared. Prints the tables of docs/quality.md (about 15 minutes on 2 cores; the
# corpus is kept in .bench/quality); e.g. make bench-quality BENCH_ARGS="--quick"
bench-quality: install
	@command -v espeak-ng >/dev/null || apt-get install -y -qq espeak-ng >/dev/null
	$(BIN)/python scripts/bench_quality.py $(BENCH_ARGS)

# 240 downloads of small synthetic repos from a loopback mirror under random faults (seeded); prints
# the table of docs/reliability.md and exits 1 on any failure. e.g. make soak SOAK_ARGS="--runs 500 --seed 2"
soak: install
	$(BIN)/python scripts/soak.py --quiet $(SOAK_ARGS)

# Every hostile film, report, name and output collision through the real commands (analyze, export,
# censor, review); prints the table of docs/reliability.md and exits 1 on any failure. The quick
# cases also run in `make test`; e.g. make soak-media SOAK_MEDIA_ARGS="--only report --keep"
soak-media: install
	$(BIN)/python scripts/soak_media.py --quiet $(SOAK_MEDIA_ARGS)

# The model tests on other CPUs' kernels: CTranslate2 forced to GENERIC/AVX/AVX2/AVX512 with MKL or
# oneDNN (AMD's path), x whisper int8/float32; prints each asserted quantity's spread and which tests
# pass under which setting (docs/benchmarks.md, "Model outputs across CPUs"); exits 1 if one fails.
# e.g. make cpu-variance CPU_VARIANCE_ARGS="--profiles native,amd-avx2 --no-tests"
cpu-variance: install
	$(BIN)/python scripts/cpu_variance.py $(CPU_VARIANCE_ARGS)

# Ray's cost: the same films in one process, then on a Ray cluster of 1 and 2 node processes on
# this machine (loopback only); prints the table of docs/benchmarks.md. e.g. make bench-cluster
# BENCH_ARGS="--films 4"
bench-cluster: install
	$(BIN)/python scripts/bench_cluster.py $(BENCH_ARGS)
