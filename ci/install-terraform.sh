#!/usr/bin/env bash
# Installs Terraform $TERRAFORM_VERSION on a CodeBuild image (GitHub Actions
# uses hashicorp/setup-terraform instead). The zip is checked against
# HashiCorp's published SHA256SUMS before it is unpacked.
#
# usage: TERRAFORM_VERSION=1.11.4 ci/install-terraform.sh
#        (TERRAFORM_INSTALL_DIR, default /usr/local/bin: where the binary goes)
set -euo pipefail

version="${TERRAFORM_VERSION:?set TERRAFORM_VERSION (ci/buildspec-*.yml pins it)}"
install_dir="${TERRAFORM_INSTALL_DIR:-/usr/local/bin}"
if command -v terraform >/dev/null 2>&1 && terraform version | head -n1 | grep -qx "Terraform v$version"; then
  echo "Terraform $version already installed"
  exit 0
fi

base="https://releases.hashicorp.com/terraform/$version"
zip="terraform_${version}_linux_amd64.zip"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/$zip" "$base/$zip"
curl -fsSL --retry 3 -o "$work/SHA256SUMS" "$base/terraform_${version}_SHA256SUMS"
grep " $zip\$" "$work/SHA256SUMS" >"$work/expected" || {
  echo "no checksum for $zip in terraform_${version}_SHA256SUMS" >&2
  exit 1
}
(cd "$work" && sha256sum --check --strict expected) || {
  echo "checksum mismatch for $zip: not installing it" >&2
  exit 1
}
mkdir -p "$install_dir"
unzip -o -q "$work/$zip" terraform -d "$install_dir"
"$install_dir/terraform" version
