#!/usr/bin/env bash
# Makes Chromium available where the end-to-end tests look for it
# (Playwright, executable_path=$CHROMIUM_PATH, default /usr/bin/chromium).
# Uses a Chromium or Chrome the image already has (GitHub's and CodeBuild's
# Ubuntu images ship Chrome), else installs the distribution's package with apt.
# Ubuntu's chromium-browser comes last: on Ubuntu it can be a stub for a snap.
set -euo pipefail

target="${CHROMIUM_PATH:-/usr/bin/chromium}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

find_browser() {
  command -v chromium google-chrome-stable google-chrome chromium-browser 2>/dev/null | head -n1 || true
}

if [ ! -x "$target" ]; then
  browser="$(find_browser)"
  if [ -z "$browser" ]; then
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser="$(find_browser)"
  fi
  [ -n "$browser" ] || { echo "no Chromium after apt-get install chromium" >&2; exit 1; }
  [ "$browser" = "$target" ] || $sudo ln -sf "$browser" "$target"
fi
"$target" --version
