# Two commands do all the set-up on a fresh Linux machine with Python 3.11:
#   make run    create .venv, install, open the terminal UI on the bundled demo recording
#   make test   create .venv, install, run the linters and the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MEDIA ?= $(or $(MOTIONMUSIC_MEDIA),tests/media)

.PHONY: run test lint pytest bench traces clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,midi]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/motionmusic demo

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check motionmusic tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# The tests need the real pose, face and hand models: $MOTIONMUSIC_MODEL, $MOTIONMUSIC_FACE_MODEL and
# $MOTIONMUSIC_HAND_MODEL when set, else the ones installed in the user data dir, else the official
# bundles are fetched once.
pytest: $(STAMP)
	$(BIN)/motionmusic model fetch --if-missing
	$(BIN)/motionmusic model fetch face --if-missing
	$(BIN)/motionmusic model fetch hand --if-missing
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/tracking.py
	$(BIN)/python benchmarks/angle_quality.py
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/desktop_latency.py
	$(BIN)/python benchmarks/effective_latency.py
	$(BIN)/python benchmarks/onset.py
	$(BIN)/python benchmarks/stillness.py
	$(BIN)/python benchmarks/prediction.py
	$(BIN)/python benchmarks/channel.py
	$(BIN)/python benchmarks/session.py

# Rebuild the demo traces bundled in the package from the test clips ($MOTIONMUSIC_MEDIA).
traces: $(STAMP)
	$(BIN)/motionmusic track $(MEDIA)/dance_arms_raise_front.mp4 --out motionmusic/data/traces/dance_arms_raise_front.mmtrace
	$(BIN)/motionmusic track $(MEDIA)/head_tilt_webcam.mp4 --out motionmusic/data/traces/head_tilt_webcam.mmtrace

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
