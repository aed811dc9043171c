#!/usr/bin/env bash
# The action's first step: the CLI of this checkout of Headroom, built when the checkout has no
# dist/ (a git ref of the repository), and its path as the step output `cli`.
set -euo pipefail
root="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as a step of action.yml}"
if ! command -v node >/dev/null 2>&1; then
  echo "::error title=Headroom::Node.js is not installed: Headroom needs Node.js 20 or newer (actions/setup-node)"
  exit 2
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "::error title=Headroom::Node.js $(node --version) is too old: Headroom needs Node.js 20 or newer (actions/setup-node with node-version: 20)"
  exit 2
fi
cli="$root/dist/cli/headroom.js"
if [ ! -f "$cli" ]; then
  echo "::group::Build Headroom's CLI (npm ci, npm run build:cli)"
  (cd "$root" && npm ci --no-audit --no-fund --ignore-scripts && npm run --silent build:cli)
  echo "::endgroup::"
fi
if [ ! -f "$cli" ]; then
  echo "::error title=Headroom::the build did not write $cli"
  exit 2
fi
echo "Headroom $(node "$cli" --version) at $cli"
echo "cli=$cli" >> "$GITHUB_OUTPUT"
