#!/usr/bin/env bash
# Debian's packages for CI: Jupyter for the kernel's conformance run (jupyter_kernel_test, the classic
# notebook, nbconvert, nbclient) and Chromium for the real-browser check. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
need=""
for pkg in jupyter-notebook python3-nbconvert python3-nbclient python3-jupyter-client python3-jupyter-kernel-test chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $need
fi
/usr/bin/python3 -c "import jupyter_kernel_test, jupyter_client, nbconvert, nbclient; print('jupyter:', jupyter_client.__version__, 'nbconvert:', nbconvert.__version__)"
