# Serverful runtime: the Chalice app under gunicorn through the WSGI shim
# (chalicelib/wsgi.py, wsgi.py, gunicorn.conf.py). See docs/wsgi.md.

DURATION    ?= 60
CONNECTIONS ?= 32

.PHONY: serve bench-serverful load

serve: install ## Run the API under gunicorn against `make dev`'s stack (.dev/stack.json; GUNICORN_BIND)
	$(BIN)/python scripts/serverful.py

bench-serverful: install ## gunicorn + moto: req/s, p50/p99 (/health, GET+POST todos), JWKS fetches, shim cost
	$(BIN)/python bench/serverful.py

load: install ## Mixed load via gunicorn, DURATION s (60) x CONNECTIONS (32); fails on 5xx/lost/duplicate todos
	$(BIN)/python scripts/load.py --duration $(DURATION) --connections $(CONNECTIONS)
