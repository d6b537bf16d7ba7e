"""Shapes of the contacts API: what clients send and what they get back."""
from rest_framework import serializers

from emailengine.encryption import mask_secret

from .models import Contact, DataSource, ImportJob, Tag
from .selectors import MAX_LIST_LIMIT


class TagSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Tag
        fields = ("id", "slug", "label", "parent", "color", "description")


class TagCreateSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=64)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    parent = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True, default=None)
    color = serializers.RegexField(r"^(#[0-9a-fA-F]{6})?$", required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DataSourceSerializer(serializers.ModelSerializer):
    webhook_secret = serializers.SerializerMethodField()

    class Meta:
        model = DataSource
        fields = ("id", "name", "type", "config", "is_active", "total_contacts_ingested", "webhook_secret")

    def get_webhook_secret(self, obj) -> str:
        return mask_secret(obj.webhook_secret)


class DataSourceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=DataSource.Type.choices)
    config = serializers.JSONField(required=False, default=dict)
    is_active = serializers.BooleanField(required=False, default=True)


class ContactSerializer(serializers.ModelSerializer):
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = (
            "id", "email", "data_source_id", "first_name", "last_name", "company", "website", "language",
            "category", "phone", "country", "city", "linkedin_url", "facebook_url", "instagram_url",
            "twitter_url", "custom_fields", "status", "validation_status", "validation_score",
            "mailwizz_subscriber_id", "mailwizz_list_id", "last_campaign_sent_at", "total_campaigns_received",
            "tags", "created_at", "updated_at",
        )

    def get_tags(self, obj) -> list[str]:
        return sorted(tag.slug for tag in obj.tags.all())


class ContactListQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIST_LIMIT, required=False, default=100)
    offset = serializers.IntegerField(min_value=0, required=False, default=0)
    tag = serializers.CharField(required=False)
    language = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    updated_since = serializers.DateTimeField(required=False)


class SegmentFilterSerializer(serializers.Serializer):
    """Documents the filter; the checking is `contacts.selectors.segment_filter_check`."""

    tags_all = serializers.ListField(child=serializers.CharField(), required=False)
    tags_any = serializers.ListField(child=serializers.CharField(), required=False)
    exclude_tags = serializers.ListField(child=serializers.CharField(), required=False)
    language = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    country = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    validation_status = serializers.CharField(required=False)


class IngestItemSerializer(serializers.Serializer):
    """One contact in POST /api/v2/contacts/ingest (documentation; checked by the ingest service)."""

    tenant_id = serializers.IntegerField()
    data_source_id = serializers.IntegerField()
    email = serializers.CharField()
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    company = serializers.CharField(required=False)
    website = serializers.CharField(required=False)
    language = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    country = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    linkedin_url = serializers.CharField(required=False)
    facebook_url = serializers.CharField(required=False)
    instagram_url = serializers.CharField(required=False)
    twitter_url = serializers.CharField(required=False)
    custom_fields = serializers.DictField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class IngestRequestSerializer(serializers.Serializer):
    contacts = IngestItemSerializer(many=True)


class IngestErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    email = serializers.CharField(allow_null=True)
    error = serializers.CharField()


class IngestResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    total_processed = serializers.IntegerField()
    new_contacts = serializers.IntegerField()
    updated_contacts = serializers.IntegerField()
    duplicates_skipped = serializers.IntegerField()
    errors = IngestErrorSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    job_id = serializers.UUIDField(source="id")
    progress = serializers.IntegerField(source="progress_percent")
    data_source_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ImportJob
        fields = (
            "job_id", "status", "progress", "file_name", "data_source_id", "tags", "total_processed",
            "new_contacts", "updated_contacts", "duplicates_skipped", "error_count", "errors", "failure",
            "created_at", "started_at", "finished_at",
        )


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    data_source_id = serializers.IntegerField(required=False)
    tags = serializers.CharField(required=False, allow_blank=True, help_text="Extra tags for every row: a,b")
