from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("websites/<int:website_id>/", views.website_detail, name="website_detail"),
    path("websites/<int:website_id>/self-check/", views.self_check, name="self_check"),
    path("websites/<int:website_id>/<str:period>/", views.website_period, name="website_period"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
