from django.urls import path

from units import views

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal, name="portal"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("websites/", views.website_list, name="website_list"),
    path("websites/<int:pk>/", views.website_detail, name="website_detail"),
    path("websites/<int:pk>/columns/add/", views.columns_add, name="columns_add"),
    path("accounts/", views.account_list, name="account_list"),
    path("registry/template.xlsx", views.registry_template, name="registry_template"),
    path("registry/export.xlsx", views.registry_export, name="registry_export"),
    path("registry/import/", views.registry_upload, name="registry_upload"),
    path("registry/import/<int:pk>/", views.registry_preview, name="registry_preview"),
    path("registry/import/<int:pk>/confirm/", views.registry_confirm, name="registry_confirm"),
]
