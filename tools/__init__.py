"""Developer tools: a real Home Assistant process for the demo, the dev instance and e2e tests."""
