from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.circular_list, name="list"),
    path("verify/", views.verify, name="verify"),
    path("<int:pk>/", views.circular_detail, name="detail"),
    path("<int:pk>/pdf/", views.circular_pdf, name="pdf"),
    path("<int:pk>/xlsx/", views.circular_xlsx, name="xlsx"),
    path("<int:pk>/verify/", views.verify_published, name="verify_published"),
]
