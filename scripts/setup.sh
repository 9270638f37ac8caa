#!/usr/bin/env bash
# Installs what the course needs on Debian or Ubuntu, idempotently: only missing packages are
# installed, with sudo when not root. `setup.sh` is enough to run the course; `setup.sh --tests`
# adds what the tests use for reference values and rendering checks; `setup.sh --ja` a Japanese font
# (Noto Sans CJK), so that a browser on this machine draws the Japanese edition's charts and page.
set -euo pipefail

course_packages=(cmake make g++ libtorch-dev libopenblas-dev dataset-fashion-mnist)
test_packages=(python3-torch python3-numpy python3-nbformat python3-nbclient python3-pil imagemagick chromium fonts-noto-cjk)
japanese_packages=(fonts-noto-cjk)

tests=0
packages=("${course_packages[@]}")
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1; packages+=("${test_packages[@]}") ;;
    --ja) packages+=("${japanese_packages[@]}") ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm fetches plotly.js for the interactive-figure tests; any npm will do (Node.js images bring their own).
if ((tests)) && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

if ((${#missing[@]})); then
  echo "==> installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "==> the .NET SDK is missing; trying the distribution's package" >&2
  # the runner and the tests target net10.0, so an older SDK cannot build the course
  for sdk in dotnet-sdk-10.0; do
    if apt-cache show "$sdk" >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$sdk" >/dev/null && break
    fi
  done
  command -v dotnet >/dev/null 2>&1 || {
    echo "Install the .NET SDK 10: https://learn.microsoft.com/dotnet/core/install/linux" >&2
    exit 1
  }
fi
echo "==> set-up complete"
