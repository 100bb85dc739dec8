# `make demo` and `make test` are the README's two commands: each first runs scripts/bootstrap.sh.
.PHONY: demo test bootstrap lint

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	.venv/bin/python -m kiosk demo

test: bootstrap
	.venv/bin/python -m pytest

lint: bootstrap
	.venv/bin/ruff check .
