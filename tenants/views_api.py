"""GET /api/v2/brands and /api/v2/brands/{tenant}: the brands the caller is granted."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import principal_for_request
from .api import BrandAPIView
from .models import Tenant
from .serializers import BrandSerializer


class BrandListApi(APIView):
    @extend_schema(responses=BrandSerializer(many=True), summary="Brands this key or person is granted")
    def get(self, request):
        principal = principal_for_request(request)
        brands = [t for t in Tenant.objects.filter(is_active=True).order_by("pk") if principal.can_see(t)]
        return Response(BrandSerializer(brands, many=True).data)


class BrandDetailApi(BrandAPIView):
    """Any grant on the brand suffices (no scope needed)."""

    @extend_schema(responses=BrandSerializer, summary="One granted brand, by id or slug")
    def get(self, request, tenant):
        return Response(BrandSerializer(self.tenant).data)
