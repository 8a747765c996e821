from django.urls import path

from dashboard.views import (
    auditlog,
    circulars,
    newmedia,
    overview,
    periods,
    queue,
    rectification,
    registry,
    review,
    runs,
)

app_name = "dashboard"

urlpatterns = [
    path("", overview.home, name="home"),
    path("imports/", overview.imports, name="imports"),
    # registry
    path("units/", registry.unit_list, name="unit_list"),
    path("units/<int:pk>/", registry.unit_detail, name="unit_detail"),
    path("websites/", registry.website_list, name="website_list"),
    path("websites/<int:pk>/", registry.website_detail, name="website_detail"),
    path("websites/<int:pk>/columns/add/", registry.columns_add, name="columns_add"),
    path("accounts/", registry.account_list, name="account_list"),
    path("registry/template.xlsx", registry.registry_template, name="registry_template"),
    path("registry/export.xlsx", registry.registry_export, name="registry_export"),
    path("registry/import/", registry.registry_upload, name="registry_upload"),
    path("registry/import/<int:pk>/", registry.registry_preview, name="registry_preview"),
    path("registry/import/<int:pk>/confirm/", registry.registry_confirm, name="registry_confirm"),
    # runs
    path("runs/", runs.run_list, name="run_list"),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:pk>/cancel/", runs.run_cancel, name="run_cancel"),
    path("runs/<int:pk>/retry/", runs.run_retry, name="run_retry"),
    # review and verdicts
    path("audit-log/", auditlog.audit_log, name="audit_log"),
    path("review/", queue.review_queue, name="review_queue"),
    path("review/bulk/", queue.review_bulk, name="review_bulk"),
    path("verdicts/", review.verdict_list, name="verdict_list"),
    path("verdicts/<int:pk>/decide/", review.verdict_decide, name="verdict_decide"),
    path("review/<int:website_id>/<str:period>/", review.website_period, name="website_period"),
    path(
        "review/accounts/<int:account_id>/<str:period>/",
        review.account_period,
        name="account_period",
    ),
    path(
        "review/<int:website_id>/<str:period>/confirm-all/",
        review.findings_confirm_all,
        name="findings_confirm_all",
    ),
    path("review/<int:website_id>/<str:period>/add/", review.finding_add, name="finding_add"),
    path("review/<int:website_id>/<str:period>/bonus/", periods.bonus_enter, name="bonus_enter"),
    path("periods/<str:code>/designate/", periods.period_designate, name="period_designate"),
    path("periods/<str:code>/lock/", periods.period_lock, name="period_lock"),
    path("periods/<str:code>/adopt/", periods.verdicts_adopt, name="verdicts_adopt"),
    path("findings/<int:pk>/review/", review.finding_review, name="finding_review"),
    path("observations/<int:pk>/", review.observation_detail, name="observation_detail"),
    path("findings/import/", review.findings_upload, name="findings_upload"),
    # new media
    path("newmedia/import/", newmedia.newmedia_import, name="newmedia_import"),
    path("newmedia/template/<str:kind>.xlsx", newmedia.newmedia_template, name="newmedia_template"),
    path("newmedia/import/<int:pk>/", newmedia.newmedia_preview, name="newmedia_preview"),
    path("newmedia/import/<int:pk>/confirm/", newmedia.newmedia_confirm, name="newmedia_confirm"),
    # rectification
    path("rectification/", rectification.rectification_list, name="rectification_list"),
    path(
        "rectification/<int:pk>/decide/",
        rectification.rectification_decide,
        name="rectification_decide",
    ),
    path("evidence/<int:pk>/", rectification.evidence_file, name="evidence"),
    # circulars
    path("drafts/", circulars.circular_list, name="circular_list"),
    path("drafts/<int:pk>/", circulars.circular_edit, name="circular_edit"),
    path("drafts/<int:pk>/preview/", circulars.circular_preview, name="circular_preview"),
    path("drafts/<int:pk>/draft.pdf", circulars.circular_draft_pdf, name="circular_draft_pdf"),
    path("drafts/<int:pk>/approve/", circulars.circular_approve, name="circular_approve"),
    path("drafts/<int:pk>/publish/", circulars.circular_publish, name="circular_publish"),
    path("drafts/<int:pk>/correct/", circulars.circular_correct, name="circular_correct"),
    path("findings/import/<int:pk>/", review.findings_preview, name="findings_preview"),
]
