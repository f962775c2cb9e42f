from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """The long-running processes: `serve` (web + worker) and `worker` (tasks + outbox sweeper)."""

    name = "madoguchi.runtime"
    label = "runtime"
