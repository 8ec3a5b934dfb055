"""LinkedIn: OpenID sign-in for the member's id, the Posts API for article shares, social actions for counts."""
