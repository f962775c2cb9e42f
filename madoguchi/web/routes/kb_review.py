"""Routes of the learning loop's review queue and the synonym list (issue 5, part 2)."""

from django.urls import URLPattern, path

from ..views import kb_review, kb_synonyms

urlpatterns: list[URLPattern] = [
    path("knowledge/proposals/", kb_review.proposal_list, name="kb_proposals"),
    path("knowledge/proposals/bulk/", kb_review.proposal_bulk, name="kb_proposals_bulk"),
    path(
        "knowledge/proposals/<int:proposal_id>/approve/",
        kb_review.proposal_approve,
        name="kb_proposal_approve",
    ),
    path(
        "knowledge/proposals/<int:proposal_id>/reject/",
        kb_review.proposal_reject,
        name="kb_proposal_reject",
    ),
    path(
        "knowledge/proposals/<int:proposal_id>/move/",
        kb_review.proposal_move,
        name="kb_proposal_move",
    ),
    path("knowledge/synonyms/", kb_synonyms.synonym_list, name="kb_synonyms"),
    path("knowledge/synonyms/<int:synonym_id>/", kb_synonyms.synonym_edit, name="kb_synonym"),
    path(
        "knowledge/synonyms/<int:synonym_id>/delete/",
        kb_synonyms.synonym_delete,
        name="kb_synonym_delete",
    ),
]
