#!/usr/bin/env bash
# Fills a Terraform filesystem mirror with every provider the infra/ tree
# requires. `make test` runs Terraform offline against such a mirror
# (TF_PLUGIN_MIRROR, default /opt/tf-plugins); a fresh CI machine (GitHub
# Actions, CodeBuild) builds it here from the registry.
#
# usage: infra/ci/terraform-mirror.sh [MIRROR_DIR]   (default: $TF_PLUGIN_MIRROR or /opt/tf-plugins)
#
# One `terraform providers mirror` run over a throwaway root module that calls
# every directory holding .tf files, so each provider is fetched once and the
# version constraints stay where they are written (infra/**/versions.tf).
set -euo pipefail

mirror="${1:-${TF_PLUGIN_MIRROR:-/opt/tf-plugins}}"
infra="$(cd "$(dirname "$0")/.." && pwd)"  # the Terraform: infra/, above infra/ci

command -v terraform >/dev/null 2>&1 || {
  echo "terraform is not on PATH: install Terraform (see docs/ci.md)" >&2
  exit 1
}

mapfile -t dirs < <(find "$infra" -name '*.tf' -not -path '*/.terraform/*' \
  -printf '%h\n' 2>/dev/null | sort -u)
if [ ${#dirs[@]} -eq 0 ]; then
  echo "no .tf files under $infra: nothing to mirror" >&2
  exit 1
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
i=0
for dir in "${dirs[@]}"; do
  printf 'module "m%d" {\n  source = "%s"\n}\n' "$i" "$dir" >>"$root/main.tf"
  i=$((i + 1))
done

mkdir -p "$mirror"
# `get` installs the local modules only (no providers), which `providers mirror` needs.
terraform -chdir="$root" get -no-color >/dev/null
terraform -chdir="$root" providers mirror -platform=linux_amd64 "$mirror"
echo "Terraform provider mirror ready: $mirror"
