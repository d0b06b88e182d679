# Serverful runtime: the Chalice app under granian through the WSGI shim
# (serverful/chalice_wsgi.py, wsgi.py, server.py). See docs/wsgi.md.

DURATION    ?= 60
CONNECTIONS ?= 32

.PHONY: serve bench-serverful load wrk

serve: install ## Run the API under granian (server.py) against `make dev`'s stack (.dev/stack.json; SERVER_BIND)
	$(BIN)/python -m tools.gunicorn_server

# The load generator of bench-serverful, from Debian (as Chromium is for the browser tests).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "==> apt-get install wrk"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }

bench-serverful: install wrk ## wrk against ours and the reference API (1 process each, moto): req/s, p50/p99, CPU/request, the stand-in's ceiling
	$(BIN)/python -m bench.serverful

load: install ## Mixed load via the server, DURATION s (60) x CONNECTIONS (32); fails on 5xx/lost/duplicate todos
	$(BIN)/python -m tools.load --duration $(DURATION) --connections $(CONNECTIONS)
