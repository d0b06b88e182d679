#!/usr/bin/env bash
# Installs the app artifact (built by `make artifact`) into DEST:
#   DEST/app   the code (app.py, api/chalicelib/, wsgi.py, server.py)
#   DEST/venv  a virtualenv with the locked requirements, installed from the
#              wheels inside the artifact (no package index needed at boot), each
#              checked against its SHA-256 in the lock (--require-hashes)
# The EC2 user data runs this; so does the test that boots the artifact locally.
# usage: install_app.sh ARTIFACT_ZIP DEST [PYTHON]
set -euo pipefail

artifact=${1:?usage: install_app.sh ARTIFACT_ZIP DEST [PYTHON]}
dest=${2:?usage: install_app.sh ARTIFACT_ZIP DEST [PYTHON]}
python=${3:-python3}

rm -rf "$dest/app" "$dest/venv"
mkdir -p "$dest/app"
"$python" -m zipfile -e "$artifact" "$dest/app"
"$python" -m venv "$dest/venv"
"$dest/venv/bin/python" -m pip install --quiet --no-index --no-cache-dir --require-hashes \
  --find-links "$dest/app/wheels" --requirement "$dest/app/requirements.txt"
# The wheels are installed; keep the code directory small. Compile the code now:
# the service runs with a read-only file system.
rm -rf "$dest/app/wheels"
"$dest/venv/bin/python" -m compileall -q "$dest/app"
# Fail the install, not the first request, if the app cannot be imported.
(cd "$dest/app" && "$dest/venv/bin/python" -c 'import wsgi; wsgi.application')
echo "installed $(basename "$artifact") into $dest"
