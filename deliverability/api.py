"""GET /api/v2/deliverability/{tenant}/ips: the brand's fleet with today's quota use."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from tenants.api import BrandAPIView

from .selectors import fleet_overview
from .serializers import FleetIPSerializer


class FleetApi(BrandAPIView):
    scope_read = "campaigns:read"

    @extend_schema(responses=FleetIPSerializer(many=True), operation_id="deliverability_fleet_list",
                   summary="The brand's IPs: state, weight, warmup day, quota used today, yesterday's rates, DNS")
    def get(self, request, tenant):
        rows = fleet_overview(tenant=self.tenant, today=timezone.now().date())
        return Response(FleetIPSerializer(rows, many=True).data)
