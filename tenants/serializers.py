from rest_framework import serializers

from .models import Tenant


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ("id", "slug", "name", "brand_domain", "sending_domain_base", "time_zone", "is_active")
