#!/usr/bin/env bash
# Creates (or brings up to date) the cached Debian 13 root where the suite runs on real TorchSharp;
# prints where it is. See scripts/debian-root.sh.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
"$here/debian-root.sh" ensure debian13
"$here/debian-root.sh" path debian13
