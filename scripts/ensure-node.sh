# Sourced by .ci/run and scripts/with-node.mjs: makes a Node.js >= 22.12 the first `node` on PATH. When the
# system Node is older (or missing), installs Node 24 from the npm registry (the `node` package) into
# $HANDBOOK_NODE_PREFIX (default ~/.cache/handbook-node) once, and puts it first on PATH.
# On failure prints one line saying what to install and returns 1.

handbook_node_is_recent_enough() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 22 || (major === 22 && minor >= 12) ? 0 : 1)' 2>/dev/null
}

handbook_ensure_node() {
  if handbook_node_is_recent_enough; then return 0; fi
  local prefix="${HANDBOOK_NODE_PREFIX:-$HOME/.cache/handbook-node}"
  if [ ! -x "$prefix/node_modules/.bin/node" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "This handbook needs Node.js 22.12 or newer and there is no npm to fetch it: install Node.js 24 (see .nvmrc)." >&2
      return 1
    fi
    echo "System Node is $(node --version 2>/dev/null || echo missing); installing Node 24 into $prefix (once)." >&2
    mkdir -p "$prefix"
    if ! npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error node@24 >/dev/null; then
      echo "This handbook needs Node.js 22.12 or newer (found $(node --version 2>/dev/null || echo none)), and installing Node 24 from the npm registry failed: install Node.js 24 (see .nvmrc)." >&2
      return 1
    fi
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
  handbook_node_is_recent_enough
}
