from django.urls import path

from . import views_api

urlpatterns = [
    path("brands", views_api.BrandListApi.as_view(), name="brand-list"),
    path("brands/<str:tenant>", views_api.BrandDetailApi.as_view(), name="brand-detail"),
]
