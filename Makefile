# The two commands of the README: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DB     ?= data/acdp.duckdb
PORT   ?= 8501
ADDRESS ?= 127.0.0.1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run pipeline app test lint chromium clean

# Install into .venv whenever requirements.txt changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

run: pipeline app

pipeline: $(VENV)/.installed
	$(PY) -m core run --repo examples/shop --domains order,stock --db $(DB)

# Loopback by default; another ADDRESS is refused unless a login is configured (app/access.py).
app: $(VENV)/.installed
	$(PY) -m app --address $(ADDRESS) --port $(PORT) --db $(DB)

# Debian's chromium for the real-browser tests (Playwright drives it; no browser download),
# and a CJK font so Chinese samples render in screenshots instead of empty boxes.
chromium:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || \
	  { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-wqy-zenhei; }

test: $(VENV)/.installed chromium
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) data .pytest_cache
