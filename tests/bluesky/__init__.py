"""A local Bluesky network (@atproto/dev-env) for tests: see docs/bluesky-dev-network.md."""
