# CI/CD (docs/ci.md): the lint gate for ci/pipeline.yaml and the GitHub
# workflow; ci/lint.py is type-checked here (mypy's `files` leave ci/ out).
# The build specs' make targets are checked by tests/ci/.
#
# checkov pins boto3 to an old release that conflicts with the app's boto3
# pin, so it gets its own venv inside .venv, pinned in ci/requirements-checkov.txt.
CI_CHECKOV_VENV := $(VENV)/tools/checkov
CI_CHECKOV      := $(CI_CHECKOV_VENV)/bin/checkov

CHECK_TARGETS += ci-lint

.PHONY: ci-tools ci-lint

$(CI_CHECKOV_VENV)/.installed: ci/requirements-checkov.txt
	$(PYTHON) -m venv $(CI_CHECKOV_VENV)
	$(CI_CHECKOV_VENV)/bin/pip install --quiet -r ci/requirements-checkov.txt
	@touch $@

ci-tools: install $(CI_CHECKOV_VENV)/.installed ## Install the CI lint tools (checkov in its own venv)

ci-lint: ci-tools ## cfn-lint + checkov on ci/pipeline.yaml, zizmor on .github/workflows (skips: ci/lint-skips.yaml)
	$(BIN)/mypy ci/lint.py
	$(BIN)/python ci/lint.py --checkov $(CI_CHECKOV)
