# Sourced by bin/start and bin/test: make sure .venv exists with Python 3.11 and the project
# installed (with $ACUERDA_EXTRAS, e.g. "dev"). Re-installs only when pyproject.toml changed.
VENV="${ACUERDA_VENV:-$PWD/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  PYTHON="${PYTHON:-}"
  if [ -z "$PYTHON" ]; then
    for candidate in python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        PYTHON="$candidate"; break
      fi
    done
  fi
  if [ -z "$PYTHON" ]; then
    echo "Acuerda needs Python 3.11 (python3.11 on the PATH, or PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  "$PYTHON" -m venv "$VENV"
fi
target=".${ACUERDA_EXTRAS:+[$ACUERDA_EXTRAS]}"
stamp="$VENV/.acuerda-installed${ACUERDA_EXTRAS:+-$ACUERDA_EXTRAS}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target"
  touch "$stamp"
fi
export VENV
