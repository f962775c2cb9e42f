"""Writing the help center: articles, their translations and history, categories.

Views, the import command and tests call these; each checks permissions and input itself.
"""

from .articles import (
    do_create_article,
    do_delete_article,
    do_delete_translation,
    do_publish,
    do_restore_version,
    do_unpublish,
    do_update_translation,
    queue_vector_refresh,
)
from .categories import do_create_category, do_delete_category, do_update_category, slug_for

__all__ = [
    "do_create_article",
    "do_create_category",
    "do_delete_article",
    "do_delete_category",
    "do_delete_translation",
    "do_publish",
    "do_restore_version",
    "do_unpublish",
    "do_update_category",
    "do_update_translation",
    "queue_vector_refresh",
    "slug_for",
]
