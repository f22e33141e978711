# Shared by scripts/demo and scripts/test: the project's virtualenv, made and filled on first use.
# PYTHON (default python3) makes it. VENV names a virtualenv that is ready already: it is used as
# it is, nothing is installed into it (the tests run scripts/demo that way).

PYTHON="${PYTHON:-python3}"

ensure_venv() {  # ensure_venv EXTRAS: .venv with the tap installed (editable) with those extras
  if [ -n "${VENV:-}" ]; then
    return
  fi
  VENV=.venv
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      echo "error: Python 3.10 or newer is needed; set PYTHON=/path/to/python3.x" >&2
      exit 2
    fi
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  fi
  # Some machines' pip.conf names local mirrors that do not exist: pip warns once per package.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[$1]" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
