"""X: OAuth 2.0 with PKCE, POST /2/tweets, public metrics of our own posts."""
