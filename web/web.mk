# The browser app (web/): install, build, lint/type-check, component tests,
# bundle budget. Browser end-to-end tests live in tests/e2e and run in pytest.
NPM_WEB := npm --prefix web

.PHONY: web-install web-build web-lint web-test bench-web

# npm ci only when the lock file changed since the last install.
web/node_modules/.ci-stamp: web/package-lock.json
	$(NPM_WEB) ci --no-audit --no-fund
	@touch $@

web-install: web/node_modules/.ci-stamp ## Install the web app's npm packages (npm ci)

web-build: web-install ## Production build of the web app into web/dist
	$(NPM_WEB) run build

web-lint: web-install ## ESLint (no warnings allowed), the TypeScript strict type check, API types current
	$(NPM_WEB) run check:api
	$(NPM_WEB) run lint
	$(NPM_WEB) run typecheck

web-test: web-install ## Web component tests (Vitest + Testing Library)
	$(NPM_WEB) test

bench-web: web-build install ## Every chunk gzipped, and what each first page loads (fails above 100 KB of JS)
	$(BIN)/python bench/web_size.py

CHECK_TARGETS += web-lint web-test
# The e2e tests serve web/dist in real Chromium.
TEST_PREREQS += web-build
