from tests.inboxes.conftest import _fast_passwords  # noqa: F401  (autouse fixture)
