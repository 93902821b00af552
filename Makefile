# The two set-up commands are `make run` and `make test`; everything else is documented in README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORPUS ?= corpus/documents
INDEX ?= index/built
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run build serve test test-fast lint format eval beir bench liveqa reranker adapter browser-deps postgres-deps wordnet-deps a11y-deps clean

install: $(STAMP)

# Re-installs only when pyproject.toml changes; a second `make install` is a no-op.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch is pinned and installed first so that nothing pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

build: install
	$(PY) -m index build --corpus $(CORPUS) --out $(INDEX)

run: build
	$(PY) -m bot serve --index $(INDEX) --host $(HOST) --port $(PORT)

serve: run

# Debian's Chromium for the browser tests (root only; elsewhere those tests skip unless CI=true).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then echo "chromium present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "note: /usr/bin/chromium missing and not root: browser tests will be skipped"; fi

# Debian's PostgreSQL for the feedback-store tests (root only; elsewhere they skip unless CI=true).
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then echo "postgresql present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "note: PostgreSQL missing and not root: PostgreSQL tests will be skipped"; fi

# Debian's WordNet 3.0 for the street-phrase rule check (tests/test_street_phrases.py; root only; elsewhere it skips).
wordnet-deps:
	@if [ -d /usr/share/wordnet ]; then echo "wordnet-base present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordnet-base >/dev/null; \
	else echo "note: wordnet-base missing and not root: the street-phrase lexicon check will be skipped"; fi

# axe-core for the accessibility checks of the browser tests (pinned in tests/a11y/package-lock.json; served from disk).
a11y-deps:
	@if [ -f tests/a11y/node_modules/axe-core/axe.min.js ]; then echo "axe-core present"; \
	elif command -v npm >/dev/null; then cd tests/a11y && npm ci --no-audit --no-fund --silent; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null && \
		cd tests/a11y && npm ci --no-audit --no-fund --silent; \
	else echo "note: npm missing and not root: the accessibility checks will be skipped"; fi

lint: install
	$(PY) -m ruff check corpus index bot eval bench train tests
	$(PY) -m ruff format --check corpus index bot eval bench train tests
	$(PY) -m mypy

format: install
	$(PY) -m ruff format corpus index bot eval bench train tests
	$(PY) -m ruff check --fix corpus index bot eval bench train tests

test: install browser-deps postgres-deps wordnet-deps a11y-deps lint
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not model and not browser and not slow"

eval: build
	$(PY) -m eval run --index $(INDEX)

beir: install
	$(PY) -m eval beir ../shared/beir/scifact

# The answer reranker on the public LiveQA-Med 2017 questions (see BENCHMARKS.md, "Answer reranker").
liveqa: install
	$(PY) -m eval liveqa ../shared/medqa

# Retrain the answer reranker (~30 min on 2 cores); ship with: cp $(RERANKER_OUT)/int8/* $(RERANKER_OUT)/MODEL_CARD.md index/models/reranker/
RERANKER_OUT ?= var/reranker
reranker: install
	nice $(PY) -m train reranker --out $(RERANKER_OUT) --shared ../shared

# Refit the query adapter W (a few minutes, most of it encoding MedQuAD once); ship with:
# cp $(ADAPTER_OUT)/adapter.npy $(ADAPTER_OUT)/adapter.json $(ADAPTER_OUT)/MODEL_CARD.md index/models/adapter/
ADAPTER_OUT ?= var/adapter
adapter: install
	nice $(PY) -m train adapter --out $(ADAPTER_OUT) --shared ../shared

bench: build
	$(PY) -m bench --index $(INDEX)

clean:
	rm -rf $(INDEX) .pytest_cache .mypy_cache .ruff_cache
