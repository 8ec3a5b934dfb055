"""The one place for test overrides."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("GROUNDSWELL_DATA_DIR", tempfile.mkdtemp(prefix="groundswell-test-"))
os.environ.setdefault("SITE_URL", "http://testserver")

from groundswell.settings import *  # noqa: F403

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": STORAGES["private"],  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The suite unfurls pages from its own loopback server.
UNFURL_ALLOW_PRIVATE_ADDRESSES = True
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
LINK_CACHE_TTL_SECONDS = 0
# Tests flush the click buffer explicitly (get_buffer().flush()); no background thread.
CLICK_FLUSHER_AUTOSTART = False
# The LinkedIn fixtures cover the approved-app case; tests of the default switch it off themselves.
LINKEDIN_READ_POSTS = True
# A fixed Fernet key for connected-account tokens (tests only).
ENCRYPTION_KEYS = ["Z3JvdW5kc3dlbGwtdGVzdC1rZXktMDEyMzQ1Njc4OWE="]
# Off so other apps' query counts do not include the once-a-day visitor write; rewards tests turn it on.
RECORD_MEMBER_VISITORS = False
# `make test-tasks` (TASKS_ENGINE=db|rabbitmq|redis) runs workers in threads beside the test: SQLite's
# shared in-memory database fails them with "table is locked", so those runs use a file (WAL, busy timeout).
if os.environ.get("TASKS_ENGINE") and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.mkdtemp(prefix="groundswell-tasks-"), "test.sqlite3")}  # noqa: F405
# A read-replica alias that mirrors the test database; routing to it is off (READ_REPLICA) except in the
# tests that turn it on (core/tests/test_replica.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA = None
