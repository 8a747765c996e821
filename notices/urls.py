from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.circular_list, name="list"),
]
