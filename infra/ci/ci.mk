# CI/CD (docs/ci.md): the lint gate for infra/ci/pipeline.yaml and the GitHub
# workflow; infra/ci/lint.py is type-checked here (mypy's `files` leave infra/ci/ out).
# The project's own checkov checks (infra/ci/checkov_checks, CKV_TODO_*) run here too.
# checkov: the project's one pinned checkov venv (`make checkov-install`).

CHECK_TARGETS += ci-lint

.PHONY: ci-tools ci-lint

ci-tools: install checkov-install ## Install the CI lint tools

ci-lint: ci-tools ## cfn-lint + checkov on infra/ci/pipeline.yaml, zizmor on .github/workflows (skips: infra/ci/lint-skips.yaml)
	$(BIN)/mypy infra/ci/lint.py
	$(BIN)/python infra/ci/lint.py --checkov $(CHECKOV)
