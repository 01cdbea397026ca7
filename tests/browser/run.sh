#!/usr/bin/env bash
# The workbench in a real browser: installs Debian's chromium and chromium-driver when they
# are absent, then drives the page through WebDriver (tests/browser/workbench.py). Screenshots
# (1400 and 390 px wide) go to target/browser/. Run from .ci/run after `cargo test`, which
# builds the binary.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "the browser test needs chromium and chromium-driver: apt-get install chromium chromium-driver (as root)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi

cargo build --quiet --bin loyalty-sim
python3 tests/browser/workbench.py target/debug/loyalty-sim target/browser
