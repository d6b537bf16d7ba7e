"""Input and output shapes of the templates API."""
from rest_framework import serializers

from . import rendering
from .models import LANGUAGE_CHOICES, EmailTemplate


class TemplateSerializer(serializers.ModelSerializer):
    direction = serializers.SerializerMethodField()

    class Meta:
        model = EmailTemplate
        fields = (
            "id", "name", "language", "category", "subject", "body_html", "body_text", "variables", "is_default",
            "direction", "total_sent", "avg_open_rate", "avg_click_rate", "created_at", "updated_at",
        )
        read_only_fields = fields

    def get_direction(self, template) -> str:
        return rendering.language_direction(template.language)


class TemplateWriteSerializer(serializers.Serializer):
    """Fields a client sets; on PUT only the fields sent change. Placeholders are checked by the service."""

    name = serializers.CharField(max_length=200)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    category = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    subject = serializers.CharField(max_length=500)
    body_html = serializers.CharField(trim_whitespace=False)
    body_text = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    is_default = serializers.BooleanField(required=False)


def _is_placeholder_name(name):
    if name in rendering.PLACEHOLDERS:
        return True
    return name.startswith(rendering.CUSTOM_PREFIX) and len(name) > len(rendering.CUSTOM_PREFIX)


class VariablesField(serializers.DictField):
    """{"firstName": "Ana", "custom.plan": "pro", ...}: known placeholder names, scalar values."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        unknown = sorted(name for name in data if not _is_placeholder_name(name))
        if unknown:
            raise serializers.ValidationError(
                f"unknown variable(s) {', '.join(unknown)}; known are {', '.join(rendering.PLACEHOLDERS)} and custom.KEY"
            )
        values = {}
        for name, value in data.items():
            if isinstance(value, (dict, list)):
                raise serializers.ValidationError(f"{name}: a variable is a string or a number, not {type(value).__name__}")
            values[name] = "" if value is None else str(value)
        return values


class _RenderInput(serializers.Serializer):
    contact_id = serializers.IntegerField(required=False, min_value=1)
    variables = VariablesField(required=False)

    def validate(self, data):
        if ("contact_id" in data) == ("variables" in data):
            raise serializers.ValidationError("Send either contact_id or variables (exactly one).")
        return data


class TemplateRenderInput(_RenderInput):
    pass


class TemplateSelectRenderInput(_RenderInput):
    language = serializers.CharField(max_length=16, required=False, help_text="Defaults to the contact's language.")
    category = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True,
        help_text="null/absent = general (or the contact's category when contact_id is given).",
    )

    def validate(self, data):
        data = super().validate(data)
        if "variables" in data and not data.get("language"):
            raise serializers.ValidationError({"language": "language is required with variables."})
        return data


class RenderedSerializer(serializers.Serializer):
    subject = serializers.CharField()
    html = serializers.CharField()
    text = serializers.CharField()
    language = serializers.CharField()
    direction = serializers.ChoiceField(choices=["ltr", "rtl"])


class SelectedRenderedSerializer(RenderedSerializer):
    template_id = serializers.IntegerField()
    matched = serializers.ChoiceField(choices=["exact", "language", "fallback_en"])
