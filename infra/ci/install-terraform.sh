#!/usr/bin/env bash
# Installs Terraform $TERRAFORM_VERSION on a CI machine (CodeBuild, GitHub
# Actions). The download is trusted only after two checks:
#   1. terraform_<version>_SHA256SUMS carries a valid signature by HashiCorp's
#      release key (infra/ci/hashicorp-release-key.asc, pinned by its fingerprint
#      below: a swapped key file fails too);
#   2. the zip's SHA-256 is the one listed in that signed file.
#
# usage: TERRAFORM_VERSION=1.11.4 infra/ci/install-terraform.sh
#        TERRAFORM_INSTALL_DIR   where the binary goes (default /usr/local/bin)
#        TERRAFORM_RELEASES_URL  mirror of releases.hashicorp.com/terraform (tests)
#        TERRAFORM_SIGNING_KEY / TERRAFORM_SIGNING_FINGERPRINT  another key (tests)
set -euo pipefail

# HashiCorp's release signing key, as published at hashicorp.com/security.
HASHICORP_FINGERPRINT=C874011F0AB405110D02105534365D9472D7468F

version="${TERRAFORM_VERSION:?set TERRAFORM_VERSION (infra/ci/buildspec-*.yml pins it)}"
install_dir="${TERRAFORM_INSTALL_DIR:-/usr/local/bin}"
releases="${TERRAFORM_RELEASES_URL:-https://releases.hashicorp.com/terraform}"
key_file="${TERRAFORM_SIGNING_KEY:-$(dirname "$0")/hashicorp-release-key.asc}"
fingerprint="${TERRAFORM_SIGNING_FINGERPRINT:-$HASHICORP_FINGERPRINT}"

if command -v terraform >/dev/null 2>&1 && terraform version | head -n1 | grep -qx "Terraform v$version"; then
  echo "Terraform $version already installed"
  exit 0
fi
command -v gpg >/dev/null 2>&1 || {
  echo "gpg is not on PATH: install gnupg (apt-get install gnupg) to verify the download" >&2
  exit 1
}

zip="terraform_${version}_linux_amd64.zip"
sums="terraform_${version}_SHA256SUMS"
work="$(mktemp -d)"
# gpg may start an agent for the throwaway keyring; stop it with the keyring.
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for file in "$zip" "$sums" "$sums.sig"; do
  curl -fsSL --retry 3 -o "$work/$file" "$releases/$version/$file"
done

# A keyring of its own holding only the pinned key.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --import "$key_file" 2>/dev/null
keys="$(gpg --batch --with-colons --fingerprint)"
grep -qx "fpr:::::::::$fingerprint:" <<<"$keys" || {
  echo "$key_file is not the key with fingerprint $fingerprint: not trusting it" >&2
  exit 1
}
# VALIDSIG's last field is the signing key's primary fingerprint.
status="$(gpg --batch --status-fd 1 --verify "$work/$sums.sig" "$work/$sums" 2>/dev/null || true)"
grep -Eq "^\[GNUPG:\] VALIDSIG .* $fingerprint\$" <<<"$status" || {
  echo "$sums has no valid signature by $fingerprint: not installing Terraform" >&2
  exit 1
}

grep " $zip\$" "$work/$sums" >"$work/expected" || {
  echo "no checksum for $zip in $sums" >&2
  exit 1
}
(cd "$work" && sha256sum --check --strict --quiet expected) || {
  echo "checksum mismatch for $zip: not installing it" >&2
  exit 1
}
mkdir -p "$install_dir"
unzip -o -q "$work/$zip" terraform -d "$install_dir"
"$install_dir/terraform" version
