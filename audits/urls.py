from django.urls import path

from audits import views

urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/<int:pk>/retry/", views.run_retry, name="run_retry"),
    path("verdicts/", views.verdict_list, name="verdict_list"),
    path("websites/<int:website_id>/<str:period>/", views.website_period, name="website_period"),
    path(
        "websites/<int:website_id>/<str:period>/confirm-all/",
        views.findings_confirm_all,
        name="findings_confirm_all",
    ),
    path("websites/<int:website_id>/<str:period>/add/", views.finding_add, name="finding_add"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("findings/<int:pk>/review/", views.finding_review_view, name="finding_review"),
    path("verdicts/<int:pk>/decide/", views.verdict_decide_view, name="verdict_decide"),
    path("findings/import/", views.findings_upload, name="findings_upload"),
    path("findings/import/<int:pk>/", views.findings_preview, name="findings_preview"),
    path("self-check/<int:website_id>/", views.self_check, name="self_check"),
]
