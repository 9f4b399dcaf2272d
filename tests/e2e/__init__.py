"""Browser tests: a real Home Assistant with its frontend, driven by headless chromium.

Not part of the normal run (they need chromium and Playwright): `scripts/test --e2e`.
"""
