"""The API test clients (a token per fixture member) for the enrolment endpoint tests."""

from groundswell.api.tests.conftest import alice_api, anon_api, bob_api, carol_api, charlie_api

__all__ = ["alice_api", "anon_api", "bob_api", "carol_api", "charlie_api"]
