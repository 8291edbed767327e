"""Every default of the SDK, in one place. ``Configuration`` documents each one with its
environment variable; ``RetryPolicy`` takes its defaults from here too."""

DEFAULT_HOST = "http://localhost:8080/v1"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
#: The most seconds one call may take, all attempts, waits and body reads included.
DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_MAX = 8.0
#: A longer Retry-After raises at once: a rate limit must not block a caller for a minute.
DEFAULT_MAX_RETRY_AFTER = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
DEFAULT_POOL_MAXSIZE = 16
