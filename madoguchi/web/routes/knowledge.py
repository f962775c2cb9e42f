"""Help-center articles and categories in the console (issue 5)."""

from django.urls import path

from ..views import knowledge, knowledge_categories, knowledge_history

urlpatterns = [
    path("knowledge/", knowledge.article_list, name="kb_articles"),
    path("knowledge/new/", knowledge.article_new, name="kb_article_new"),
    path("knowledge/preview/", knowledge_history.preview, name="kb_preview"),
    path("knowledge/categories/", knowledge_categories.category_list, name="kb_categories"),
    path(
        "knowledge/categories/<int:category_id>/",
        knowledge_categories.category_edit,
        name="kb_category",
    ),
    path(
        "knowledge/categories/<int:category_id>/delete/",
        knowledge_categories.category_delete,
        name="kb_category_delete",
    ),
    path("knowledge/<int:article_id>/", knowledge.article_detail, name="kb_article"),
    path("knowledge/<int:article_id>/status/", knowledge.article_status, name="kb_article_status"),
    path("knowledge/<int:article_id>/delete/", knowledge.article_delete, name="kb_article_delete"),
    path(
        "knowledge/<int:article_id>/language/delete/",
        knowledge.translation_delete,
        name="kb_translation_delete",
    ),
    path(
        "knowledge/<int:article_id>/versions/<int:version_id>/",
        knowledge_history.version_detail,
        name="kb_version",
    ),
    path(
        "knowledge/<int:article_id>/versions/<int:version_id>/restore/",
        knowledge_history.version_restore,
        name="kb_version_restore",
    ),
]
