#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100.3 with a Node extension host) for the extension-host
# tests, outside the project's node_modules so `npm ci` stays fast and the lockfile untouched.
#
#   scripts/install-code-server.sh            # installs into the directory printed at the end
#   PYPI_PROVENANCE_CODE_SERVER_DIR=/opt/cs scripts/install-code-server.sh
#
# Default place: ${XDG_CACHE_HOME:-~/.cache}/pypi-provenance/code-server-4.100.3 — per user and
# per machine, so a fresh clone (CI) finds it again and only the first run pays the ~1 min.
# test/vscode/codeServer.mjs looks in the same place. Needs Debian `ripgrep` and `libkrb5-dev`
# (see .ci/run) and the npm registry; nothing is downloaded from anywhere else.
set -euo pipefail

VERSION=4.100.3 # the last code-server whose engines.node is 20
DIR="${PYPI_PROVENANCE_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pypi-provenance/code-server-$VERSION}"
BIN="$DIR/node_modules/.bin/code-server"

# code-server writes a config and logs under XDG_CONFIG_HOME/XDG_DATA_HOME even for --version.
XDG_TEMP="$(mktemp -d)"
trap 'rm -rf "$XDG_TEMP"' EXIT
version_of() { XDG_CONFIG_HOME="$XDG_TEMP" XDG_DATA_HOME="$XDG_TEMP" "$BIN" --version 2>/dev/null | grep -v '^\[' | head -1; }

if [ -x "$BIN" ] && version_of | grep -q "^$VERSION "; then
  echo "code-server $VERSION already installed: $BIN"
  exit 0
fi

for need in rg node npm; do
  command -v "$need" >/dev/null 2>&1 || { echo "install-code-server: '$need' is missing (apt-get install ripgrep; Node 20)" >&2; exit 2; }
done
if [ ! -e /usr/include/gssapi/gssapi.h ] && [ ! -e /usr/include/krb5.h ]; then
  echo "install-code-server: the kerberos module needs Debian libkrb5-dev (apt-get install libkrb5-dev)" >&2
  exit 2
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable: hand it Debian's rg
# in the cache it checks first (the names are those of @vscode/ripgrep 1.15.11, code-server 4.100.3).
RG_CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
RG_TARBALL="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$RG_TARBALL" ]; then
  mkdir -p "$RG_CACHE"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$RG_TARBALL" -C "$staging" rg
  rm -rf "$staging"
fi

mkdir -p "$DIR"
echo "--- installing code-server@$VERSION into $DIR (about a minute, ~300 MB)"
# unsafe_perm: as root the postinstall refuses to run otherwise; yes: node-pty runs `npx node-gyp`,
# which this machine's npm config (yes=false) would cancel.
(
  cd "$DIR"
  [ -f package.json ] || echo '{ "name": "pypi-provenance-code-server", "private": true }' > package.json
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$VERSION"
)
version_of
echo "code-server installed: $BIN"
