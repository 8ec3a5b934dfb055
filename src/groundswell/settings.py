"""Groundswell settings: everything from the environment, validated loudly.

Layering (Zulip style): defaults here → values from the environment → derived values at the end.
Tests override through ``groundswell.test_settings`` only.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from groundswell.lib.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("GROUNDSWELL_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set to a unique value when DEBUG is off")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
# The rule of `check --deploy` (security.W009), refused at start-up in production rather than warned about.
_WEAK_KEY = len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
if not DEBUG and _WEAK_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: it needs at least 50 characters, at least 5 different ones, "
        "and no 'django-insecure-' prefix. Generate one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "groundswell.core",
    "groundswell.workspaces",
    "groundswell.content",
    "groundswell.sharing",
    "groundswell.links",
    "groundswell.rewards",
    "groundswell.goals",
    "groundswell.policy",
    "groundswell.enrolment",
    "groundswell.teams",
    "groundswell.stewards",
    "groundswell.updates",
    "groundswell.learning",
    "groundswell.privacy",
    "groundswell.sso",
    "groundswell.scim",
    "groundswell.recognition",
    "groundswell.listening",
    "groundswell.audit",
    "groundswell.care",
    "groundswell.notify",
    "groundswell.videos",
    "groundswell.stories",
    "groundswell.chat",
    "groundswell.analytics",
    "groundswell.networks",
    "groundswell.api",
    "groundswell.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "groundswell.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "groundswell.core.input_guard.ControlCharacterMiddleware",  # NUL and other controls: 400, not a 500
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "groundswell.sso.enforcement.SsoEntryMiddleware",
    "groundswell.rewards.middleware.MemberVisitorMiddleware",
]

ROOT_URLCONF = "groundswell.urls"
WSGI_APPLICATION = "groundswell.wsgi.application"
ASGI_APPLICATION = "groundswell.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groundswell.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'groundswell.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite (sqlite:///…) or PostgreSQL (postgres://…)")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    _db["CONN_MAX_AGE"] = 0
else:
    # A database that stops answering must not hang the click flusher: fail fast, spool, retry.
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1))
DATABASES = {"default": _db}
# A PostgreSQL read replica (streaming replication) for dashboard and report reads (core/dbrouter.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
READ_REPLICA: str | None = None
if DATABASE_REPLICA_URL:
    try:
        _replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a valid database URL: {exc}") from exc
    if _replica["ENGINE"] != "django.db.backends.postgresql" or _db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL, for both the primary and the replica")
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1))
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    READ_REPLICA = "replica"
DATABASE_ROUTERS = ["groundswell.core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------
# Rate limits (sign-in attempts through allauth, SCIM requests per token) must be counted across every web
# process: Redis when REDIS_URL is set, otherwise a table in the database (created after every migrate by
# ``groundswell.core``). Never the per-process memory cache, which would multiply each limit by the workers.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://")
CACHE_TABLE = "groundswell_cache"
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "gs"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    ),
    # Short-link destinations shared by every web node (links/resolver.py, ADR 0033): Redis when configured,
    # else this process's memory (one node: nothing to share, and no database round trip to save).
    "links": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "gs"}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "links",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    ),
}

# --- Auth -----------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "index"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_ADAPTER = "groundswell.sso.adapter.SsoAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
# Failed sign-ins count per account+address, per address and per account, and a browser that signed in
# before always gets through with the right password (workspaces/login_throttle.py, ADR 0026).
ACCOUNT_RATE_LIMITS = {
    # No limit on all sign-in attempts per address (allauth: 30/m/ip): it would let one person behind an
    # office's address block everyone's sign-in there; failures are limited before the password is hashed.
    "login": "",
    "login_failed": "20/m/ip,5/5m/key",
    "login_failed_account": "50/h/key",
    "login_failed_device": "10/5m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# Single sign-on: each workspace configures its own OpenID Connect or SAML identity provider (sso/models.py);
# the adapter hands allauth those per-workspace apps, so nothing is configured here per IdP.
SOCIALACCOUNT_ADAPTER = "groundswell.sso.adapter.WorkspaceSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by email is decided by the adapter (sso/linking.py)
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10, minimum=1)
# Self-service sign-up without an invitation creates a new workspace (agencies, trials).
GROUNDSWELL_OPEN_SIGNUP = env_bool("GROUNDSWELL_OPEN_SIGNUP", False)

# --- Email ----------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Groundswell <groundswell@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# --- Background tasks (django-tasks) --------------------------------------------------------------
# The database backend by default (no broker). TASKS_BACKEND=celery delivers tasks through RabbitMQ
# (amqp://) or Redis (redis://) at TASKS_BROKER_URL; results stay in the database (docs/adr/0032).
_TASKS_BACKEND_ALIASES = {"db": "django_tasks_db.DatabaseBackend", "celery": "groundswell.core.broker.CeleryBackend"}
_tasks_backend = env_str("TASKS_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": _TASKS_BACKEND_ALIASES.get(_tasks_backend, _tasks_backend),
        "QUEUES": ["default"],
    }
}
TASKS_BROKER_URL = env_str("TASKS_BROKER_URL", "")
if TASKS["default"]["BACKEND"] == _TASKS_BACKEND_ALIASES["celery"] and not TASKS_BROKER_URL.startswith(
    ("amqp://", "amqps://", "redis://", "rediss://")
):
    raise ImproperlyConfigured(
        "TASKS_BACKEND=celery needs TASKS_BROKER_URL=amqp://user:password@host:5672/vhost (RabbitMQ) "
        f"or redis://host:6379/1 (Redis); got {TASKS_BROKER_URL!r}"
    )
# Queue names on the broker are "<prefix>.<queue>": a broker (or RabbitMQ vhost) shared by several
# installations needs a prefix per installation.
TASKS_QUEUE_PREFIX = env_str("TASKS_QUEUE_PREFIX", "groundswell")
# Redis only: a task not acknowledged after this long is handed to another worker (keep it above the
# longest task). RabbitMQ hands a task on as soon as the worker holding it disconnects.
TASKS_VISIBILITY_TIMEOUT_SECONDS = env_int("TASKS_VISIBILITY_TIMEOUT_SECONDS", 3600, minimum=10)
# A task still waiting this long after it was due (its message lost, e.g. the broker was down when it was
# enqueued) is published again by the scheduler; workers run each task once, so a second copy is harmless.
TASKS_REPUBLISH_AFTER_SECONDS = env_int("TASKS_REPUBLISH_AFTER_SECONDS", 600, minimum=30)

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end packages from the npm registry, pinned in frontend/package-lock.json and installed by
# `make install` (npm ci) into frontend/node_modules; an installed copy elsewhere is named by
# GROUNDSWELL_ASSETS_DIR. The `core` system check says how to install them when they are missing.
ASSETS_DIR = Path(
    env_str("GROUNDSWELL_ASSETS_DIR", str(BASE_DIR.parent.parent / "frontend" / "node_modules"))
).resolve()
# Files of those packages served under /static/vendor/<name>/ (only what pages load).
VENDOR_STATIC = {
    "vendor/chart.js": ASSETS_DIR / "chart.js" / "dist",
}
# The project's own assets (src/groundswell/static) are not inside an installed app.
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"] + [
    (prefix, path) for prefix, path in VENDOR_STATIC.items() if path.is_dir()
]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Members-only uploads (story images, videos): never under MEDIA_ROOT, served by access-checked views.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "groundswell.lib.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1024)

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies append to X-Forwarded-For in front of us (0: use the socket address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_PROXY else 0, minimum=0, maximum=5)
ENABLE_ADMIN = env_bool("ENABLE_ADMIN", False)
# Tracked-link exemption: the redirect must answer on plain http too when SSL redirect is on.
SECURE_REDIRECT_EXEMPT = [r"^[A-Za-z0-9]{7}$"]

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Groundswell ----------------------------------------------------------------------------------
# Outbound fetches (link unfurling) refuse private, loopback and link-local addresses unless this is on
# (only the test-suite turns it on, to unfurl pages from its own loopback server).
UNFURL_ALLOW_PRIVATE_ADDRESSES = env_bool("UNFURL_ALLOW_PRIVATE_ADDRESSES", False)
UNFURL_TIMEOUT_SECONDS = env_float("UNFURL_TIMEOUT_SECONDS", 5.0, minimum=0.1)
UNFURL_MAX_BYTES = env_int("UNFURL_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
UNFURL_MAX_REDIRECTS = env_int("UNFURL_MAX_REDIRECTS", 3, minimum=0, maximum=10)

# Click journal: each click is appended to the web process's journal segment (fdatasync) before its redirect
# is answered; segments are sealed every CLICK_FLUSH_INTERVAL_SECONDS and written to the database in
# transactions of CLICK_FLUSH_BATCH_SIZE clicks (docs/adr/0030). Keep CLICK_SPOOL_DIR on a local disk.
CLICK_SPOOL_DIR = Path(env_str("CLICK_SPOOL_DIR", str(DATA_DIR / "click-spool")))
CLICK_FLUSH_INTERVAL_SECONDS = env_float("CLICK_FLUSH_INTERVAL_SECONDS", 1.0, minimum=0.01)
CLICK_FLUSH_BATCH_SIZE = env_int("CLICK_FLUSH_BATCH_SIZE", 1000, minimum=1)
LINK_CACHE_TTL_SECONDS = env_int("LINK_CACHE_TTL_SECONDS", 60, minimum=0)
# How long the shared link cache (CACHES["links"]) keeps a destination; changes invalidate it at once.
LINK_SHARED_CACHE_SECONDS = env_int("LINK_SHARED_CACHE_SECONDS", 3600, minimum=1)
# Links the redirect fast path loads into memory at start-up, and its on-disk cache for outages.
LINK_PREWARM_COUNT = env_int("LINK_PREWARM_COUNT", 20000, minimum=0)
LINK_DISK_CACHE_PATH = Path(env_str("LINK_DISK_CACHE_PATH", str(DATA_DIR / "link-cache.sqlite3")))
CLICK_FLUSHER_AUTOSTART = env_bool("CLICK_FLUSHER_AUTOSTART", True)
# The chatter audit's PDF embeds this TrueType family when the files exist (Debian: fonts-dejavu-core), so names
# in any Latin, Greek or Cyrillic script print; without it, Helvetica (Western European only).
AUDIT_PDF_FONT = env_str("AUDIT_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
AUDIT_PDF_FONT_BOLD = env_str("AUDIT_PDF_FONT_BOLD", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
# Remember members' visitor hashes on their own page views, to recognise self-clicks (rewards/middleware.py).
RECORD_MEMBER_VISITORS = env_bool("RECORD_MEMBER_VISITORS", True)
# "inline": the web process writes click batches to the database itself (simple; one process).
# "worker": the web process only journals clicks and `groundswell worker` (or
# `flush_clicks --follow`) writes them, so no database work runs beside the redirect's event loop.
# "database": the web process hands each sealed batch to the database (one INSERT into a hand-off table)
# and any worker on any host writes it: what many web nodes need (docs/adr/0033; `groundswell serve`'s default).
CLICK_INGEST = env_choice("CLICK_INGEST", "inline", ("inline", "worker", "database"))

# Secrets at rest (connected-account tokens): comma-separated Fernet keys, newest first (networks/crypto.py).
ENCRYPTION_KEYS = env_list("GROUNDSWELL_ENCRYPTION_KEYS", [])
# OAuth apps of the networks (register Groundswell with each network you enable; empty = not offered).
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID", "")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET", "")
# LinkedIn grants r_member_social (read our posts' counts; find a post before retrying) to approved apps only.
LINKEDIN_READ_POSTS = env_bool("LINKEDIN_READ_POSTS", False)
X_CLIENT_ID = env_str("X_CLIENT_ID", "")
X_CLIENT_SECRET = env_str("X_CLIENT_SECRET", "")
FACEBOOK_APP_ID = env_str("FACEBOOK_APP_ID", "")
FACEBOOK_APP_SECRET = env_str("FACEBOOK_APP_SECRET", "")
# Network API base URLs (tests point them at loopback servers).
LINKEDIN_API_URL = env_str("LINKEDIN_API_URL", "https://api.linkedin.com")
X_API_URL = env_str("X_API_URL", "https://api.x.com")
FACEBOOK_GRAPH_URL = env_str("FACEBOOK_GRAPH_URL", "https://graph.facebook.com/v21.0")
BLUESKY_SERVICE_URL = env_str("BLUESKY_SERVICE_URL", "https://bsky.social")
BLUESKY_APPVIEW_URL = env_str("BLUESKY_APPVIEW_URL", "https://public.api.bsky.app")
# Where a signed-in listening search is forwarded by the account's server (the ``atproto-proxy`` header,
# "<AppView DID>#bsky_appview"); empty: the server's own default AppView.
BLUESKY_APPVIEW_PROXY = env_str("BLUESKY_APPVIEW_PROXY", "did:web:api.bsky.app#bsky_appview")

# Web Push (notify/): a VAPID key pair (`groundswell vapid_keys` prints a fresh one) and a contact the push
# services can reach (mailto: or https:). Without the keys push is off and members are told e-mail is used.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "")
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    raise ImproperlyConfigured("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both, or neither")
if VAPID_PUBLIC_KEY and not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(
        f"VAPID_SUBJECT={VAPID_SUBJECT!r} must be a mailto: or https: contact for the push services"
    )
# Seconds a push service keeps an undelivered notification (the phone is off), and attempts on transient errors.
PUSH_TTL_SECONDS = env_int("PUSH_TTL_SECONDS", 24 * 3600, minimum=0)
PUSH_MAX_ATTEMPTS = env_int("PUSH_MAX_ATTEMPTS", 4, minimum=1, maximum=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Chat (Slack)
# A Slack app the company creates from the manifest on /w/<ws>/chat/ (ADR 0040). Secrets may come from
# SLACK_CLIENT_SECRET_FILE / SLACK_SIGNING_SECRET_FILE; they are never logged. Without the client id and
# secret the chat page shows how to set them up instead of "Add to Slack".
SLACK_CLIENT_ID = env_str("SLACK_CLIENT_ID", "")
SLACK_CLIENT_SECRET = env_str("SLACK_CLIENT_SECRET", "")
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET", "")
SLACK_API_URL = env_str("SLACK_API_URL", "https://slack.com/api").rstrip("/")
SLACK_OAUTH_URL = env_str("SLACK_OAUTH_URL", "https://slack.com/oauth/v2/authorize")
if bool(SLACK_CLIENT_ID) != bool(SLACK_CLIENT_SECRET):
    raise ImproperlyConfigured("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both, or neither")
if SLACK_CLIENT_ID and not SLACK_SIGNING_SECRET:
    raise ImproperlyConfigured("SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID (inbound requests are verified)")
# Signed links the bot hands out: "link my account" (minutes) and personal share buttons (days).
CHAT_LINK_MAX_AGE_SECONDS = env_int("CHAT_LINK_MAX_AGE_SECONDS", 30 * 60, minimum=60)
CHAT_SHARE_LINK_MAX_AGE_SECONDS = env_int("CHAT_SHARE_LINK_MAX_AGE_SECONDS", 14 * 24 * 3600, minimum=3600)

# --- Chat (Microsoft Teams) -----------------------------------------------------------------------------------
# The Azure Bot's Microsoft App ID and a client secret of its Entra app registration (docs/teams.md); without
# both, Teams is not offered. The bot's messaging endpoint is {SITE_URL}/chat/teams/messages.
TEAMS_APP_ID = env_str("TEAMS_APP_ID", "")
TEAMS_APP_PASSWORD = env_str("TEAMS_APP_PASSWORD", "")
if bool(TEAMS_APP_ID) != bool(TEAMS_APP_PASSWORD):
    raise ImproperlyConfigured("TEAMS_APP_ID and TEAMS_APP_PASSWORD go together: set both, or neither")
# A single-tenant bot: its Entra tenant (tokens are asked there, and only that tenant's activities are taken).
TEAMS_TENANT_ID = env_str("TEAMS_TENANT_ID", "")
# Where the Bot Connector's signing keys are published (its jwks_uri), and where the bot asks for its token.
TEAMS_OPENID_METADATA_URL = env_str(
    "TEAMS_OPENID_METADATA_URL", "https://login.botframework.com/v1/.well-known/openidconfiguration"
)
TEAMS_TOKEN_URL = env_str(
    "TEAMS_TOKEN_URL",
    f"https://login.microsoftonline.com/{TEAMS_TENANT_ID or 'botframework.com'}/oauth2/v2.0/token",
)
# Hosts an activity's serviceUrl may name (the host itself or a subdomain; https only): the Bot Connector's
# public, GCC, GCC High and DoD clouds. A loopback host listed here may use http (the test-suite's fake).
TEAMS_SERVICE_HOSTS = env_list(
    "TEAMS_SERVICE_HOSTS",
    [
        "smba.trafficmanager.net",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.gov.teams.microsoft.us",
        "smba.infra.dod.teams.microsoft.us",
    ],
)

# --- Videos ---------------------------------------------------------------------------------------
# Members' short videos (videos/): the upload limits checked at the edge, and Debian's ffmpeg/ffprobe that
# the worker runs to make the web version (docs/adr/0038). Paths default to the ones on PATH.
VIDEO_MAX_BYTES = env_int("VIDEO_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
VIDEO_MAX_SECONDS = env_int("VIDEO_MAX_SECONDS", 180, minimum=1)
FFMPEG_BINARY = env_str("FFMPEG_BINARY", "ffmpeg")
FFPROBE_BINARY = env_str("FFPROBE_BINARY", "ffprobe")
# ffprobe at the upload must answer quickly; the transcode may take a while on a small machine. A video whose
# processing started longer ago than the transcode timeout (its worker died) may be claimed again.
VIDEO_PROBE_TIMEOUT_SECONDS = env_int("VIDEO_PROBE_TIMEOUT_SECONDS", 30, minimum=1)
VIDEO_TRANSCODE_TIMEOUT_SECONDS = env_int("VIDEO_TRANSCODE_TIMEOUT_SECONDS", 900, minimum=10)
VIDEO_MAX_ATTEMPTS = env_int("VIDEO_MAX_ATTEMPTS", 3, minimum=1, maximum=10)
