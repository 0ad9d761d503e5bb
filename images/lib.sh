# images/lib.sh: what every recipe does with Debian's archive, in one place. Sourced first by
# kernel/build.sh, busybox/build.sh, dos/build.sh and debian/fetch.sh.
#
# Every input of a recipe is pinned to an exact Debian version and fetched by the recipe itself
# (apt-get download / apt-get source into its own work folder, unpacked with dpkg -x), never taken
# from whatever happens to be installed: a newer version in the archive changes nothing.
#
# When a pinned version is no longer in the archive, pin_gone() says which pin to move and to what,
# and the recipe exits with PIN_GONE (75). check-reproducible.sh treats that as "cannot rebuild
# here" rather than "not reproducible" (see images/README.md, "When a pin disappears").

PIN_GONE=75

# The recipe that sourced this file: its folder (HERE), its name in messages, its path for "move the pin".
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LIB_NAME:=$(basename "$HERE")}"
: "${PIN_FILE:=images/$LIB_NAME/$(basename "$0")}"

# recipe_mode DEFAULT [MODE...] -- "$@": MODE is DEFAULT with no argument, or the --MODE given
# (--check always; the other modes a recipe lists).
recipe_mode() {
  local default=$1; shift
  local modes=(check)
  while [ "$1" != -- ]; do modes+=("$1"); shift; done
  shift
  MODE=$default
  if [ $# -gt 1 ] || { [ $# -eq 1 ] && [[ " ${modes[*]} " != *" ${1#--} "* || "$1" != --* ]]; }; then
    echo "usage: $0 [$(printf -- '--%s|' "${modes[@]}" | sed 's/|$//')]" >&2
    exit 2
  fi
  [ $# -eq 1 ] && MODE=${1#--}
  return 0
}

lib_log() { echo "${LIB_NAME:-images}: $*" >&2; }

# need_pkgs PKG...: apt-get install the host tools a recipe runs (compilers, xz, ...) if missing.
need_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    lib_log "apt-get install ${missing[*]}"
    apt-get update || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

# setup_apt: the i386 architecture (for apt-get download of i386 packages, never installed) and
# deb-src entries (for apt-get source), with one apt-get update if either was added.
setup_apt() {
  local dirty=
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
    dirty=1
  fi
  if ! grep -rqs '^\(Types:.*deb-src\|deb-src\)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/looproot-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    dirty=1
  fi
  if [ -n "$dirty" ]; then apt-get update || true; fi
}

# pin_gone VAR PKG=VERSION [source]: the message for a pin the archive no longer has, then exit 75.
pin_gone() {
  local var=$1 spec=$2 kind=${3:-binary} pkg=${2%%=*} ver=${2#*=} have
  pkg=${pkg%%:*}
  if [ "$kind" = source ]; then
    have=$(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -u | tr '\n' ' ')
  else
    have=$(apt-cache madison "${spec%%=*}" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -u | tr '\n' ' ')
  fi
  lib_log "the pinned $kind package $pkg=$ver is no longer in the archive."
  lib_log "move the pin: set $var in ${PIN_FILE:-the recipe} to one of: ${have:-<none listed: run apt-get update>}"
  lib_log "then rebuild (npm run images), check the boots and commit the new outputs and images/manifest.json."
  exit "$PIN_GONE"
}

# version_listed PKG VERSION: does the archive (as apt sees it) list exactly this binary version?
version_listed() {
  apt-cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$2"
}

# fetch_debs DIR VAR=PKG=VERSION...: apt-get download each exact binary package into DIR.
# VAR names the shell variable that pins it, for the message when the version is gone.
fetch_debs() {
  local dir=$1; shift
  local specs=() item
  for item in "$@"; do specs+=("${item#*=}"); done
  mkdir -p "$dir"
  chmod 755 "$dir"   # apt's _apt user downloads into it
  if (cd "$dir" && apt-get download "${specs[@]}" >&2); then return 0; fi
  lib_log "apt-get download failed; refreshing the package lists"
  apt-get update || true
  if (cd "$dir" && apt-get download "${specs[@]}" >&2); then return 0; fi
  for item in "$@"; do
    local var=${item%%=*} spec=${item#*=}
    version_listed "${spec%%=*}" "${spec#*=}" || pin_gone "$var" "$spec"
  done
  lib_log "cannot download ${specs[*]} although the archive lists them (network or mirror trouble?)"
  exit 1
}

# fetch_source DIR VAR PKG=VERSION: apt-get source (download and unpack) into DIR.
fetch_source() {
  local dir=$1 var=$2 spec=$3
  mkdir -p "$dir"
  chmod 755 "$dir"
  if (cd "$dir" && apt-get source "$spec" >&2); then return 0; fi
  apt-get update || true
  if (cd "$dir" && apt-get source "$spec" >&2); then return 0; fi
  if ! apt-cache showsrc "${spec%%=*}" 2>/dev/null | sed -n 's/^Version: //p' | grep -qxF "${spec#*=}"; then
    pin_gone "$var" "$spec" source
  fi
  lib_log "cannot fetch the source $spec although the archive lists it (is deb-src enabled? network?)"
  exit 1
}

# unpack_debs DIR DEB...: dpkg -x each package into DIR (nothing is installed).
unpack_debs() {
  local dir=$1; shift
  mkdir -p "$dir"
  local deb
  for deb in "$@"; do dpkg -x "$deb" "$dir"; done
}
