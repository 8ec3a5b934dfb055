"""Listening: boolean queries over social posts, matched through an index of the terms they require."""
