"""The headless browser that UI tests and the browser benchmark drive through Playwright."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright's own download needs the network
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
