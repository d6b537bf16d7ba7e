"""API input/output shapes of campaigns."""
from rest_framework import serializers

from .models import COUNTERS, Campaign


class CampaignSerializer(serializers.ModelSerializer):
    template_id = serializers.IntegerField(allow_null=True, required=False)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "status", "channel", "template_id", "language", "category", "tags_all", "tags_any",
            "exclude_tags", "filters", "from_name", "reply_to", "send_hour_start", "send_hour_end", "send_days",
            "daily_cap", "tracking_enabled", "scheduled_at", "started_at", "completed_at", "mailwizz_campaign_id",
            "waiting_until", "waiting_reason", "preflight", *COUNTERS, "created_at", "updated_at",
        ]
        read_only_fields = ["id", "status", "started_at", "completed_at", "waiting_until", "waiting_reason",
                            "preflight", *COUNTERS, "created_at", "updated_at", "mailwizz_campaign_id"]


class CampaignWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    channel = serializers.ChoiceField(choices=["smtp", "mailwizz"], required=False)
    template_id = serializers.IntegerField(allow_null=True, required=False)
    language = serializers.CharField(max_length=8, allow_blank=True, required=False)
    category = serializers.CharField(max_length=64, allow_blank=True, required=False)
    tags_all = serializers.ListField(child=serializers.CharField(), required=False)
    tags_any = serializers.ListField(child=serializers.CharField(), required=False)
    exclude_tags = serializers.ListField(child=serializers.CharField(), required=False)
    filters = serializers.DictField(required=False)
    from_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    reply_to = serializers.EmailField(allow_blank=True, required=False)
    send_hour_start = serializers.IntegerField(min_value=0, max_value=23, allow_null=True, required=False)
    send_hour_end = serializers.IntegerField(min_value=1, max_value=24, allow_null=True, required=False)
    send_days = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), required=False)
    daily_cap = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    tracking_enabled = serializers.BooleanField(required=False)
    scheduled_at = serializers.DateTimeField(allow_null=True, required=False)

    def validate_filters(self, value):
        from contacts.selectors import SegmentFilterError, segment_filter_check

        try:
            segment_filter_check(data=value)
        except SegmentFilterError as problem:
            raise serializers.ValidationError(str(problem)) from problem
        if "status" in value:
            raise serializers.ValidationError("campaigns always mail deliverable contacts: no status filter")
        return value


class ScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()


class TestSendSerializer(serializers.Serializer):
    emails = serializers.ListField(child=serializers.EmailField(), min_length=1, max_length=10)
    contact_id = serializers.IntegerField(required=False, help_text="Render for this contact; sample data otherwise.")
    language = serializers.CharField(required=False, help_text="Template language to test (default: en).")
    category = serializers.CharField(required=False, allow_blank=True)
