#!/usr/bin/env bash
# The course's main job: installs what is missing, builds, then runs every notebook headless and
# writes the executed notebooks and one HTML page of the whole course to artifacts/.
#   ./run-course.sh           quick mode (every notebook in a few minutes on a laptop CPU)
#   ./run-course.sh --full    full mode (real training; see README for times)
#   ./run-course.sh --lang ja the Japanese edition (notebooks/ja; executed notebooks and page in artifacts/ja)
set -euo pipefail
cd "$(dirname "$0")"
setup_args=()
previous=""
for arg in "$@"; do
  if [[ "$previous" == "--lang" && "$arg" == "ja" ]]; then setup_args+=(--ja); fi
  previous="$arg"
done
./scripts/setup.sh "${setup_args[@]}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The quiet build hides the engine line; print it first (eng/CourseEngine.proj).
dotnet msbuild eng/CourseEngine.proj -nologo -v:m
dotnet build Course.sln -c Release -nologo -v:q
# KaTeX next to the course page renders its maths offline; without it the page uses a CDN.
if [[ ! -d node_modules/katex ]] && command -v npm >/dev/null 2>&1; then
  npm install --no-save --no-audit --no-fund --silent katex >/dev/null 2>&1 || echo "(KaTeX not installed: the course page will load it from a CDN)"
fi
dotnet run --project src/Course.Notebooks -c Release --no-build -- run "$@"
