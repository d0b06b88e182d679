"""The set-up scripts CI machines run before `make test`, exercised with stand-in
commands on a PATH of their own (no apt, no network, nothing outside tmp_path)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from tests.ci.cfn import CI

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


def fake_release(tmp_path: Path, version: str, *, tamper: bool) -> Path:
    """A directory laid out like releases.hashicorp.com/terraform/<version>/."""
    release = tmp_path / "release"
    release.mkdir()
    binary = tmp_path / "terraform"
    binary.write_text(f"#!/bin/bash\necho 'Terraform v{version}'\n")
    binary.chmod(0o755)
    zip_name = f"terraform_{version}_linux_amd64.zip"
    with zipfile.ZipFile(release / zip_name, "w") as archive:
        archive.write(binary, "terraform")
    digest = hashlib.sha256((release / zip_name).read_bytes()).hexdigest()
    if tamper:
        digest = "0" * 64
    (release / f"terraform_{version}_SHA256SUMS").write_text(
        f"{'1' * 64}  terraform_{version}_darwin_arm64.zip\n{digest}  {zip_name}\n"
    )
    return release


def run_install_terraform(tmp_path: Path, release: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = sandbox_path(tmp_path)
    for tool in ("grep", "sha256sum", "unzip"):
        found = shutil.which(tool)
        assert found, f"{tool} is not installed"
        (bin_dir / tool).symlink_to(found)
    # curl stand-in: serves the release directory instead of the network.
    stub(bin_dir, "curl", f'out="$5"; url="$6"; cp "{release}/${{url##*/}}" "$out"')
    return subprocess.run(
        ["bash", str(CI / "install-terraform.sh")],
        env={
            "PATH": str(bin_dir),
            "HOME": os.environ["HOME"],
            "TERRAFORM_VERSION": "9.9.9",
            "TERRAFORM_INSTALL_DIR": str(tmp_path / "install"),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_install_terraform_installs_a_release_whose_checksum_matches(tmp_path: Path) -> None:
    result = run_install_terraform(tmp_path, fake_release(tmp_path, "9.9.9", tamper=False))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "install" / "terraform").is_file()
    assert result.stdout.strip().endswith("Terraform v9.9.9")


def test_install_terraform_refuses_a_release_whose_checksum_differs(tmp_path: Path) -> None:
    result = run_install_terraform(tmp_path, fake_release(tmp_path, "9.9.9", tamper=True))
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    assert not (tmp_path / "install").exists()
