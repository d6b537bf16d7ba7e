from rest_framework import serializers


class FleetIPSerializer(serializers.Serializer):
    address = serializers.CharField(source="ip.address")
    vmta = serializers.CharField(source="ip.vmta_name")
    domain = serializers.CharField(source="ip.sending_domain.name")
    state = serializers.CharField(source="ip.state")
    weight = serializers.IntegerField(source="ip.weight")
    warmup_day = serializers.IntegerField(source="ip.warmup_day")
    quota_today = serializers.IntegerField(allow_null=True)
    sent_today = serializers.IntegerField()
    sent_yesterday = serializers.IntegerField()
    bounce_rate_yesterday = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    complaint_rate_yesterday = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    dns_ok = serializers.BooleanField(allow_null=True)
