"""The set-up scripts CI machines run before `make test`, exercised with stand-in
commands on a PATH of their own (no apt, no network, nothing outside tmp_path)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra.ci.cfn import CI, REPO

# The real commands the scripts use besides the ones each test stands in for.
TOOLS = (
    "bash", "env", "id", "head", "ln", "mkdir", "mktemp", "rm", "find", "sort", "dirname", "cat",
    "chmod", "cp",
)  # fmt: skip


def sandbox_path(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is not installed"
        (bin_dir / tool).symlink_to(found)
    # Not root in GitHub Actions: the script then runs apt-get and ln via sudo.
    stub(bin_dir, "sudo", 'exec "$@"')
    return bin_dir


def stub(bin_dir: Path, name: str, body: str) -> Path:
    path = bin_dir / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)
    return path


def run_install_chromium(bin_dir: Path, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CI / "install-chromium.sh")],
        env={"PATH": str(bin_dir), "CHROMIUM_PATH": str(target), "HOME": os.environ["HOME"]},
        capture_output=True,
        text=True,
        check=False,
    )


def test_install_chromium_links_a_browser_the_image_already_has(tmp_path: Path) -> None:
    bin_dir = sandbox_path(tmp_path)
    chrome = stub(bin_dir, "google-chrome", 'echo "Google Chrome 140.0"')
    stub(bin_dir, "apt-get", "echo apt-get must not run >&2; exit 9")
    target = tmp_path / "chromium"
    result = run_install_chromium(bin_dir, target)
    assert result.returncode == 0, result.stderr
    assert target.resolve() == chrome
    assert result.stdout.strip() == "Google Chrome 140.0"


def test_install_chromium_installs_the_apt_package_when_there_is_no_browser(
    tmp_path: Path,
) -> None:
    bin_dir = sandbox_path(tmp_path)
    log = tmp_path / "apt.log"
    # apt-get stand-in: records its arguments; `install ... chromium` provides the binary.
    browser = stub(tmp_path, "packaged-chromium", "echo Chromium 1.0")
    stub(
        bin_dir,
        "apt-get",
        f'echo "$*" >> {log}\n[ "$1" = install ] && cp {browser} {bin_dir}/chromium\nexit 0',
    )
    target = tmp_path / "chromium"
    result = run_install_chromium(bin_dir, target)
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == ["update -qq", "install -y -qq chromium"]
    assert target.resolve() == bin_dir / "chromium"
    assert result.stdout.strip() == "Chromium 1.0"


def test_install_chromium_fails_clearly_when_apt_brings_no_browser(tmp_path: Path) -> None:
    bin_dir = sandbox_path(tmp_path)
    stub(bin_dir, "apt-get", "exit 0")
    result = run_install_chromium(bin_dir, tmp_path / "chromium")
    assert result.returncode != 0
    assert "no Chromium after apt-get install chromium" in result.stderr


def test_terraform_mirror_mirrors_one_root_that_calls_every_terraform_dir(
    tmp_path: Path,
) -> None:
    # A copy of the repo layout: ci/terraform-mirror.sh next to a terraform/ tree.
    repo = tmp_path / "repo"
    (repo / "ci").mkdir(parents=True)
    shutil.copy(CI / "terraform-mirror.sh", repo / "ci")
    for module in ("modules/network", "modules/data", "."):
        (repo / "terraform" / module).mkdir(parents=True, exist_ok=True)
        (repo / "terraform" / module / "main.tf").write_text("# stand-in\n")
    (repo / "terraform" / ".terraform" / "modules" / "x").mkdir(parents=True)
    (repo / "terraform" / ".terraform" / "modules" / "x" / "main.tf").write_text("# cache\n")
    bin_dir = sandbox_path(tmp_path)
    calls = tmp_path / "terraform.log"
    # terraform stand-in: logs each call and the root module it was given.
    stub(
        bin_dir,
        "terraform",
        f'echo "$*" >> {calls}\n'
        'root="${1#-chdir=}"\n'
        f'[ "$2" = get ] && cat "$root/main.tf" >> {tmp_path}/root.tf\n'
        "exit 0",
    )
    mirror = tmp_path / "mirror"
    result = subprocess.run(
        ["bash", str(repo / "ci" / "terraform-mirror.sh"), str(mirror)],
        env={"PATH": str(bin_dir), "HOME": os.environ["HOME"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    get, mirror_call = calls.read_text().splitlines()
    assert get.endswith(" get -no-color")
    assert mirror_call.endswith(f" providers mirror -platform=linux_amd64 {mirror}")
    sources = sorted(
        line.split('"')[1]
        for line in (tmp_path / "root.tf").read_text().splitlines()
        if "source" in line
    )
    terraform = repo / "terraform"
    assert sources == sorted(
        str(p) for p in (terraform, terraform / "modules/data", terraform / "modules/network")
    )
    assert mirror.is_dir()


def test_terraform_mirror_fails_clearly_without_terraform(tmp_path: Path) -> None:
    bin_dir = sandbox_path(tmp_path)
    result = subprocess.run(
        ["bash", str(CI / "terraform-mirror.sh"), str(tmp_path / "mirror")],
        env={"PATH": str(bin_dir), "HOME": os.environ["HOME"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "terraform is not on PATH" in result.stderr


# ------------------------------------------------------------ ci/install-terraform.sh


@dataclass(frozen=True)
class SigningKey:
    fingerprint: str
    armored: Path


def gpg(home: Path, *args: str) -> str:
    gpg_path = shutil.which("gpg")
    assert gpg_path, "gpg is not installed: apt-get install gnupg"
    result = subprocess.run(
        [gpg_path, "--batch", "--homedir", str(home), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[SigningKey]]]:
    """A throwaway GnuPG home with two signing keys: the release key and a stranger's."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    keys = []
    for name in ("release", "stranger"):
        gpg(home, "--passphrase", "", "--quick-gen-key", f"{name} <{name}@example.com>",
            "ed25519", "sign", "never")  # fmt: skip
        listing = gpg(home, "--with-colons", "--fingerprint", f"{name}@example.com")
        fingerprint = next(
            line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")
        )
        armored = home / f"{name}.asc"
        armored.write_text(gpg(home, "--armor", "--export", fingerprint))
        keys.append(SigningKey(fingerprint, armored))
    yield home, keys
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


VERSION = "9.9.9"
ZIP = f"terraform_{VERSION}_linux_amd64.zip"
SUMS = f"terraform_{VERSION}_SHA256SUMS"


def signed_release(
    tmp_path: Path, home: Path, signer: SigningKey, *, sums_changed: bool = False
) -> Path:
    """A directory laid out like releases.hashicorp.com/terraform/."""
    release = tmp_path / "releases" / VERSION
    release.mkdir(parents=True)
    binary = tmp_path / "terraform"
    binary.write_text(f"#!/bin/bash\necho 'Terraform v{VERSION}'\n")
    binary.chmod(0o755)
    with zipfile.ZipFile(release / ZIP, "w") as archive:
        archive.write(binary, "terraform")
    digest = hashlib.sha256((release / ZIP).read_bytes()).hexdigest()
    sums = release / SUMS
    sums.write_text(f"{'1' * 64}  terraform_{VERSION}_darwin_arm64.zip\n{digest}  {ZIP}\n")
    gpg(home, "--local-user", signer.fingerprint, "--detach-sign",
        "--output", f"{sums}.sig", str(sums))  # fmt: skip
    if sums_changed:
        sums.write_text(sums.read_text().replace(digest, "2" * 64))
    return release.parent


def run_install_terraform(
    tmp_path: Path, releases: Path, key: SigningKey, *, fingerprint: str | None = None
) -> subprocess.CompletedProcess[str]:
    bin_dir = sandbox_path(tmp_path)
    for tool in ("curl", "grep", "sha256sum", "unzip", "gpg", "gpgconf"):
        found = shutil.which(tool)
        assert found, f"{tool} is not installed"
        (bin_dir / tool).symlink_to(found)
    return subprocess.run(
        ["bash", str(CI / "install-terraform.sh")],
        env={
            "PATH": str(bin_dir),
            "HOME": os.environ["HOME"],
            "TERRAFORM_VERSION": VERSION,
            "TERRAFORM_INSTALL_DIR": str(tmp_path / "install"),
            "TERRAFORM_RELEASES_URL": releases.as_uri(),
            "TERRAFORM_SIGNING_KEY": str(key.armored),
            "TERRAFORM_SIGNING_FINGERPRINT": fingerprint or key.fingerprint,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def assert_refused(tmp_path: Path, result: subprocess.CompletedProcess[str], why: str) -> None:
    assert result.returncode == 1
    assert why in result.stderr
    assert not (tmp_path / "install").exists()


def test_install_terraform_installs_a_signed_release_whose_checksum_matches(
    tmp_path: Path, keyring: tuple[Path, list[SigningKey]]
) -> None:
    home, (release_key, _) = keyring
    releases = signed_release(tmp_path, home, release_key)
    result = run_install_terraform(tmp_path, releases, release_key)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "install" / "terraform").is_file()
    assert result.stdout.strip().endswith(f"Terraform v{VERSION}")


def test_install_terraform_refuses_a_zip_whose_checksum_differs(
    tmp_path: Path, keyring: tuple[Path, list[SigningKey]]
) -> None:
    home, (release_key, _) = keyring
    releases = signed_release(tmp_path, home, release_key)
    with zipfile.ZipFile(releases / VERSION / ZIP, "a") as archive:
        archive.writestr("extra", "tampered")
    result = run_install_terraform(tmp_path, releases, release_key)
    assert_refused(tmp_path, result, "checksum mismatch")


def test_install_terraform_refuses_checksums_changed_after_signing(
    tmp_path: Path, keyring: tuple[Path, list[SigningKey]]
) -> None:
    home, (release_key, _) = keyring
    releases = signed_release(tmp_path, home, release_key, sums_changed=True)
    result = run_install_terraform(tmp_path, releases, release_key)
    assert_refused(tmp_path, result, f"{SUMS} has no valid signature by {release_key.fingerprint}")


def test_install_terraform_refuses_checksums_signed_by_another_key(
    tmp_path: Path, keyring: tuple[Path, list[SigningKey]]
) -> None:
    home, (release_key, stranger) = keyring
    releases = signed_release(tmp_path, home, stranger)
    result = run_install_terraform(tmp_path, releases, release_key)
    assert_refused(tmp_path, result, "has no valid signature")


def test_install_terraform_refuses_a_key_file_that_is_not_the_pinned_key(
    tmp_path: Path, keyring: tuple[Path, list[SigningKey]]
) -> None:
    # Someone swaps the key file for theirs and signs with it: the pin catches it.
    home, (release_key, stranger) = keyring
    releases = signed_release(tmp_path, home, stranger)
    result = run_install_terraform(
        tmp_path, releases, stranger, fingerprint=release_key.fingerprint
    )
    assert_refused(tmp_path, result, f"is not the key with fingerprint {release_key.fingerprint}")


def test_the_shipped_key_is_hashicorps_key_the_script_pins(tmp_path: Path) -> None:
    pinned = re.search(r"^HASHICORP_FINGERPRINT=([0-9A-F]{40})$",
                       (CI / "install-terraform.sh").read_text(), re.M)  # fmt: skip
    assert pinned
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    listing = gpg(home, "--with-colons", "--show-keys", str(CI / "hashicorp-release-key.asc"))
    primary = [line for line in listing.splitlines() if line.startswith(("pub:", "fpr:"))]
    assert primary[0].startswith("pub:") and primary[1].split(":")[9] == pinned.group(1)
    assert "HashiCorp Security" in listing


def test_terraform_is_downloaded_only_by_the_verified_installer() -> None:
    # Every CI definition that needs Terraform installs it with the script
    # above; nothing else fetches it (no setup-terraform action, no curl).
    definitions = [*CI.glob("*.yml"), *(REPO / ".github" / "workflows").glob("*.yml")]
    definitions += [*CI.glob("*.sh"), *(REPO / "mk").glob("*.mk"), REPO / "Makefile"]
    installer = CI / "install-terraform.sh"
    for path in definitions:
        text = path.read_text()
        if path != installer:
            assert "releases.hashicorp.com" not in text, f"{path.name} downloads Terraform itself"
            assert "setup-terraform" not in text, f"{path.name} installs Terraform unverified"
    users = [p.name for p in definitions if "bash ci/install-terraform.sh" in p.read_text()]
    assert {"ci.yml", "buildspec-test.yml", "buildspec-backend.yml"} <= set(users)
