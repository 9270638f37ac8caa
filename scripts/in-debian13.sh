#!/usr/bin/env bash
# Runs a command inside the Debian 13 root (created on first use), in this work tree:
#   scripts/in-debian13.sh [--copy] [--dir DIR] [--] CMD...
# e.g. `scripts/in-debian13.sh --copy -- env COURSE_ENGINE=torchsharp ./run-tests.sh`.
# See scripts/debian-root.sh for the options.
set -euo pipefail
exec "$(dirname "$(readlink -f "$0")")/debian-root.sh" run debian13 "$@"
