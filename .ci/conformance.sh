#!/usr/bin/env bash
# Conformance of the hypernote kernel, run against its installed kernelspec:
#   1. jupyter_kernel_test (Debian python3-jupyter-kernel-test) with tests/conformance/test_hypernote.py
#   2. jupyter nbconvert --to notebook --execute on notebooks/fixtures/kernel-check.ipynb, then a check
#      that every code cell got an execution_count and its expected outputs.
# Needs `npm run build` and .ci/jupyter-install.sh first. Idempotent; leaves nothing in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The kernelspec goes into a private prefix that only this run's JUPYTER_PATH sees.
node dist/notebook/cli.js install --prefix "$work/prefix"
export JUPYTER_PATH="$work/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$work/data"
export JUPYTER_RUNTIME_DIR="$work/runtime"

echo "== jupyter_kernel_test"
(cd tests/conformance && "$PY" -m unittest -v test_hypernote)

echo "== nbconvert --execute"
cp notebooks/fixtures/kernel-check.ipynb "$work/in.ipynb"
"$PY" -m nbconvert --to notebook --execute \
  --ExecutePreprocessor.kernel_name=hypernote --ExecutePreprocessor.timeout=120 \
  --output-dir "$work" --output out.ipynb "$work/in.ipynb"
"$PY" tests/conformance/check_executed.py "$work/out.ipynb"
echo "conformance: all passed"
