# Two commands do everything: `make brief` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: brief test deps system-check clean docs-images bench corpus

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

system-check:
	@$(PYTHON) tools/check_system.py

brief: system-check $(VENV)/.installed
	$(BIN)/briefgen build outline.yaml

test: system-check $(VENV)/.installed-test
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest  # no __pycache__ left in the checkout

# The bad-input corpus alone: hostile and broken projects, each with its message and position.
corpus: system-check $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/test_bad_inputs.py tests/test_bad_inputs_untrusted.py tests/test_untrusted_docx.py \
		tests/test_safefs.py tests/test_outputs.py tests/test_portable.py tests/test_hostile_docx.py \
		tests/test_analyst_file.py tests/test_hostile_links.py tests/test_odd_environments.py

# README images: the sample brief's first page, a crop of each section and `briefgen preview`, all generated.
docs-images: system-check $(VENV)/.installed-test
	$(BIN)/briefgen build outline.yaml --format pdf --quiet
	mkdir -p docs/images
	pdftoppm -png -r 70 -f 1 -l 1 -singlefile reports/outline.pdf docs/images/sample-page-1
	$(BIN)/python docs/gallery.py outline.yaml reports/outline.pdf docs/images
	$(BIN)/python docs/preview_shot.py outline.yaml docs/images/preview.png

# Performance ratios against references measured side by side (see bench/bench.py, bench/RESULTS.md).
bench: system-check $(VENV)/.installed-test
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) reports/*.pdf reports/*.docx reports/*.html .pytest_cache
