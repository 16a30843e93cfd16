"""Servers and processes that tests and benchmarks both start: Chroma, the app, a headless browser.

`harness.servers` runs real processes on free loopback ports and stops them; `harness.browser`
names the Chromium that Playwright drives. Nothing here is part of the app.
"""
