#!/usr/bin/env bash
# Cached Debian roots (debootstrap) for checks this machine's own distribution cannot make:
#   debian13        Debian 13 (trixie) with the .NET SDK and every package the tests use: TorchSharp's
#                   native library needs GCC 13's libstdc++ (GLIBCXX_3.4.32), which Debian 12 lacks.
#   debian12-fresh  Debian 12 (bookworm) minbase with only the .NET SDK (and what that SDK's own
#                   package depends on): a new user's machine, to check that setup.sh installs every
#                   tool the course calls. Run in it with --scratch so each check starts fresh.
#
#   debian-root.sh ensure NAME                 create the root, or bring it up to date (quick when current)
#   debian-root.sh run NAME [OPTIONS] [--] CMD  run CMD inside it (root, chroot, private mount namespace)
#       --dir DIR   bind-mount DIR at the same path inside and start CMD there (default: the git
#                   work tree around the current folder, else no folder)
#       --copy      instead, start CMD in a copy of DIR's tracked and untracked-but-not-ignored files,
#                   at /tmp/BASENAME inside (a clean build sharing no bin/ obj/ build/ with this machine)
#       --scratch   run in a throwaway copy of the root, deleted afterwards
#   debian-root.sh path NAME                   print where the root lives
#   debian-root.sh remove NAME                 delete the root (refused while anything is mounted in it)
#
# Roots live in $COURSE_ROOT_CACHE (default ~/.cache/course), outside every work tree, and are reused
# across runs: a stamp file records what was installed. Every mount (proc, dev, sys, /tmp, the work
# tree) is made inside `unshare --mount --pid`, so it vanishes with the command and its children.
set -euo pipefail

script_path=$(readlink -f "$0")
cache=$(readlink -m "${COURSE_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/course}")
mirror=${COURSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${COURSE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# What the root's own apt installs: with --no-install-recommends, as setup.sh does.
tests_packages=(cmake g++ make libtorch-dev libopenblas-dev dataset-fashion-mnist
  python3-torch python3-numpy python3-nbformat python3-nbclient python3-pil imagemagick chromium npm
  git ca-certificates procps file)

load_profile() {
  case "$1" in
    debian13)
      suite=trixie
      # The .NET SDK's own prerequisites (what Microsoft's deb package depends on), then the tests' packages.
      packages=(libc6 libgcc-s1 libicu76 libssl3t64 libstdc++6 zlib1g tzdata ca-certificates "${tests_packages[@]}")
      ;;
    debian12-fresh)
      suite=bookworm
      packages=(libc6 libgcc-s1 libicu72 libssl3 libstdc++6 zlib1g tzdata ca-certificates)
      ;;
    *) echo "debian-root.sh: unknown root '$1' (known: debian13, debian12-fresh)" >&2; exit 2 ;;
  esac
  name=$1
  root=$cache/$name
}

die() { echo "debian-root.sh: $*" >&2; exit 1; }

# Mount points at or below $1, as this mount namespace sees them (mountinfo field 5, octal escapes kept).
mounts_under() {
  local dir
  dir=$(readlink -m "$1")
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# rm -rf, but never across a mount point: a bind-mounted work tree under a root must not be deleted.
safe_remove() {
  local dir=$1 found
  [[ -e "$dir" ]] || return 0
  [[ "$(readlink -m "$dir")" == "$cache"/* ]] || die "refusing to delete $dir: it is not under $cache"
  found=$(mounts_under "$dir")
  [[ -z "$found" ]] || die "refusing to delete $dir: still mounted under it: $found"
  rm -rf --one-file-system -- "$dir"
}

stamp_text() {
  local dotnet_sdks certs nuget_config npmrc
  dotnet_sdks=$(ls /usr/share/dotnet/sdk 2>/dev/null | tr '\n' ' ')
  certs=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null | sha256sum | cut -c1-16)
  nuget_config=$(cat "$HOME/.nuget/NuGet/NuGet.Config" 2>/dev/null | sha256sum | cut -c1-16)
  npmrc=$(cat "$HOME/.npmrc" 2>/dev/null | sha256sum | cut -c1-16)
  printf 'layout 1\nsuite %s\nmirror %s\npackages %s\ndotnet %s\ncerts %s\nnuget %s\nnpmrc %s\n' \
    "$suite" "$mirror" "${packages[*]}" "$dotnet_sdks" "$certs" "$nuget_config" "$npmrc"
}

# Environment handed into the root: what tools, CI and the course read; nothing of this machine's paths.
root_environment() {
  local env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
    DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 TERM="${TERM:-dumb}")
  local var
  while IFS= read -r var; do
    case "$var" in
      CI|COURSE_*|DOTNET_*|NUGET_*|MSBUILD*|OPENBLAS_*|OMP_*|http_proxy|https_proxy|no_proxy|HTTP_PROXY|HTTPS_PROXY|NO_PROXY \
        |SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|NODE_EXTRA_CA_CERTS|GIT_SSL_CAINFO)
        [[ "$var" == COURSE_ROOT_* || "$var" == COURSE_DEBIAN_* ]] || env+=("$var=${!var}") ;;
    esac
  done < <(compgen -e)
  printf '%s\0' "${env[@]}"
}

# Runs inside `unshare --mount --pid --fork`: mounts, then chroot.
# Arguments: root tmp bind-dir start-dir -- CMD...
enter() {
  local root=$1 tmp=$2 dir=$3 start=$4; shift 5
  mount --make-rprivate /
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  mount --bind "$tmp" "$root/tmp"
  if [[ -n "${COURSE_ROOT_APT_ARCHIVES:-}" ]]; then
    mount --bind "$COURSE_ROOT_APT_ARCHIVES" "$root/var/cache/apt/archives"
  fi
  if [[ -n "$dir" ]]; then
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  local env=()
  mapfile -d '' env < <(root_environment)
  exec chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -c 'cd "$1" && shift && exec "$@"' bash "${start:-/root}" "$@"
}

# Runs CMD in the root folder $1 with a private /tmp. $2 says what of work tree $3 is mounted: none;
# bind (the folder itself, at the same path inside); copy (a clean copy, at /tmp/NAME inside).
in_root() {
  local target=$1 mode=$2 dir=$3; shift 3
  mkdir -p "$cache/tmp"
  local tmp inside="" status=0
  tmp=$(mktemp -d "$cache/tmp/$name.XXXXXX")
  chmod 1777 "$tmp"
  case "$mode" in
    bind) inside=$dir ;;
    copy) copy_work_tree "$dir" "$tmp/$(basename "$dir")"; inside=/tmp/$(basename "$dir"); dir="" ;;
    none) dir="" ;;
  esac
  unshare --mount --pid --fork --propagation private -- \
    "$script_path" __enter "$target" "$tmp" "$dir" "$inside" -- "$@" || status=$?
  safe_remove "$tmp"
  return $status
}

provision() {
  local target=$1
  echo "==> $name: configuring apt, certificates, the .NET SDK, NuGet"
  cat > "$target/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
  mkdir -p "$target/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$target/usr/local/share/ca-certificates/" 2>/dev/null || true
  local sdks
  sdks=$(ls /usr/share/dotnet/sdk | tr '\n' ' ')
  if [[ "$(cat "$target/usr/share/dotnet/.course-sdks" 2>/dev/null)" != "$sdks" ]]; then
    safe_remove "$target/usr/share/dotnet"
    cp -a /usr/share/dotnet "$target/usr/share/dotnet"
    echo "$sdks" > "$target/usr/share/dotnet/.course-sdks"
  fi
  ln -sfn /usr/share/dotnet/dotnet "$target/usr/bin/dotnet"
  mkdir -p "$target/root/.nuget/NuGet"
  if [[ -f "$HOME/.nuget/NuGet/NuGet.Config" ]]; then cp "$HOME/.nuget/NuGet/NuGet.Config" "$target/root/.nuget/NuGet/"; fi
  if [[ -f "$HOME/.npmrc" ]]; then cp "$HOME/.npmrc" "$target/root/.npmrc"; fi
  echo "==> $name: installing ${#packages[@]} packages"
  # The downloaded .deb files are kept outside the root, so a re-created root installs without downloading.
  mkdir -p "$cache/apt-archives/$suite"
  COURSE_ROOT_APT_ARCHIVES="$cache/apt-archives/$suite" in_root "$target" none "" /bin/sh -c '
    set -e
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    # Quiet unless it fails: it always warns that the bundle it wrote holds more than one certificate.
    out=$(update-ca-certificates 2>&1) || { echo "$out" >&2; exit 1; }' sh "${packages[@]}"
}

ensure() {
  mkdir -p "$cache"
  local wanted
  wanted=$(stamp_text)
  if [[ -f "$root/.course-root-stamp" && "$(cat "$root/.course-root-stamp")" == "$wanted" ]]; then return 0; fi
  local started=$SECONDS
  if ! command -v debootstrap >/dev/null 2>&1; then
    local sudo_cmd=(); if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    echo "==> installing debootstrap (apt-get)"
    "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" \
      apt-get install -y -qq --no-install-recommends debootstrap >/dev/null || die "could not install debootstrap"
  fi
  if [[ ! -f "$root/.course-root-base" || "$(cat "$root/.course-root-base")" != "$suite minbase $mirror" ]]; then
    local fresh=$root.new
    safe_remove "$fresh"
    echo "==> $name: debootstrap --variant=minbase $suite (cached in $cache)"
    mkdir -p "$cache/debootstrap-debs/$suite"
    # debootstrap mounts proc and sys in the target itself: give it a private namespace too.
    unshare --mount --propagation private -- debootstrap --variant=minbase --include=ca-certificates \
      --cache-dir="$cache/debootstrap-debs/$suite" "$suite" "$fresh" "$mirror" > "$cache/$name.debootstrap.log" 2>&1 \
      || { tail -20 "$cache/$name.debootstrap.log" >&2; die "debootstrap failed (log: $cache/$name.debootstrap.log)"; }
    echo "$suite minbase $mirror" > "$fresh/.course-root-base"
    safe_remove "$root"
    mv "$fresh" "$root"
  fi
  provision "$root"
  echo "$wanted" > "$root/.course-root-stamp"
  echo "==> $name: ready in $((SECONDS - started)) s ($(du -sh "$root" 2>/dev/null | cut -f1), $root)"
}

# Tracked and untracked-but-not-ignored files of the work tree at $1, copied to $2.
copy_work_tree() {
  local src=$1 dest=$2
  mkdir -p "$dest"
  (cd "$src" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf -) \
    | tar -xf - -C "$dest"
  # The copy is a git work tree of its own, so git commands in it answer as in a clone.
  git -C "$dest" init -q && git -C "$dest" add -A && git -C "$dest" -c user.name=ci -c user.email=ci@localhost commit -qm copy
}

run() {
  local dir="" mode=bind scratch=false
  dir=$(git rev-parse --show-toplevel 2>/dev/null || true)
  while (($#)); do
    case "$1" in
      --dir) dir=$(readlink -f "$2"); shift 2 ;;
      --copy) mode=copy; shift ;;
      --scratch) scratch=true; shift ;;
      --) shift; break ;;
      -*) die "unknown option $1" ;;
      *) break ;;
    esac
  done
  (($#)) || die "run $name: no command given"
  [[ -n "$dir" ]] || mode=none
  exec 9> "$cache/$name.lock"
  flock -x 9
  ensure
  flock -s 9
  local target=$root status=0
  if $scratch; then
    target=$(mktemp -d "$cache/$name.scratch.XXXXXX")
    echo "==> $name: scratch copy of the root"
    cp -a "$root/." "$target/"
  fi
  in_root "$target" "$mode" "$dir" "$@" || status=$?
  if $scratch; then safe_remove "$target"; fi
  return $status
}

command=${1:-}
[[ -n "$command" ]] || { sed -n '2,21p' "$script_path"; exit 2; }
shift
case "$command" in
  __enter) enter "$@" ;;
  ensure) load_profile "${1:?root name}"; mkdir -p "$cache"; exec 9> "$cache/$name.lock"; flock -x 9; ensure ;;
  run) load_profile "${1:?root name}"; shift; mkdir -p "$cache/tmp"; run "$@" ;;
  path) load_profile "${1:?root name}"; echo "$root" ;;
  remove) load_profile "${1:?root name}"; mkdir -p "$cache"; exec 9> "$cache/$name.lock"; flock -x 9; safe_remove "$root.new"; safe_remove "$root" ;;
  *) die "unknown command '$command' (ensure, run, path, remove)" ;;
esac
