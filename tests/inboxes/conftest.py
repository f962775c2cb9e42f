from .concurrency import concurrent_db  # noqa: F401  (fixture)
