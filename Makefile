.PHONY: demo test bootstrap lint

# Inspect the demo county served by the local site farm, and open the web UI.
demo:
	scripts/demo.sh

# The whole test suite (ruff, then pytest on PostgreSQL with a real Redis and Celery worker).
test:
	scripts/test.sh

bootstrap:
	scripts/bootstrap.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
