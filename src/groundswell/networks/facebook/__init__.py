"""Facebook: posts to a Page the member manages, with a page access token."""
