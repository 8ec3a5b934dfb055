"""REST API endpoints, one router per area."""
