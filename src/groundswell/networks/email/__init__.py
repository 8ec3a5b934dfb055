"""Email: a share-intent (mailto:) link only, no API."""
