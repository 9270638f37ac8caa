#!/usr/bin/env bash
# Runs every test of the course: installs what is missing, builds, then runs each test project in
# turn (one at a time, so timing-sensitive tests such as the 60-second training test get the CPU).
set -euo pipefail
cd "$(dirname "$0")"
./scripts/setup.sh --tests
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The quiet build hides the engine line; print it first (eng/CourseEngine.proj).
dotnet msbuild eng/CourseEngine.proj -nologo -v:m
dotnet build Course.sln -c Release -nologo -v:q
status=0
for project in tests/*/*.csproj; do
  echo "==> $(basename "$project" .csproj)"
  # minimal verbosity: a failing test prints its message and stack trace, a passing one nothing
  # COURSE_TEST_FILTER: a dotnet test --filter expression for every project (.ci/run's TorchSharp half uses it)
  dotnet test "$project" -c Release --no-build -nologo -v:m ${COURSE_TEST_FILTER:+--filter "$COURSE_TEST_FILTER"} || status=1
done
exit $status
