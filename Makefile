# The two commands README names: `make run` and `make test`.  Each sets itself up.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: run test setup lint

run:
	./scripts/setup.sh run
	uv run --frozen streamlit run streamlit_app.py

test:
	./scripts/setup.sh test
	uv run --frozen ruff check .
	uv run --frozen pytest

setup:
	./scripts/setup.sh test

lint:
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .
