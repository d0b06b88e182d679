# CI/CD (docs/ci.md): the lint gate for ci/pipeline.yaml and the GitHub
# workflow; ci/lint.py is type-checked here (mypy's `files` leave ci/ out).
# The project's own checkov checks (ci/checkov_checks, CKV_TODO_*) run here too.
# checkov: the project's one pinned checkov venv (`make checkov-install`).

CHECK_TARGETS += ci-lint

.PHONY: ci-tools ci-lint

ci-tools: install checkov-install ## Install the CI lint tools

ci-lint: ci-tools ## cfn-lint + checkov on ci/pipeline.yaml, zizmor on .github/workflows (skips: ci/lint-skips.yaml)
	$(BIN)/mypy ci/lint.py
	$(BIN)/python ci/lint.py --checkov $(CHECKOV)
