"""EmailTemplate: one brand's email template in one of the 9 languages, general or for a category.

At most one template is the default for each (language, category) slot of a brand; the
database enforces it with two partial unique indexes (one for category templates, one for
general templates, whose category is NULL). The selection chain (selectors.template_select)
only ever picks default templates.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from . import rendering

LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "de": "Deutsch",
    "pt": "Português",
    "ru": "Русский",
    "zh": "中文",
    "hi": "हिन्दी",
    "ar": "العربية",
}
LANGUAGE_CHOICES = [(code, f"{code.upper()} - {LANGUAGE_NAMES.get(code, code)}") for code in rendering.LANGUAGES]
GENERAL = "general"


def category_normalise(category):
    """'' and None mean general (stored as NULL); categories are trimmed and lower-cased."""
    if category is None:
        return None
    category = str(category).strip().lower()
    return None if category in ("", GENERAL) else category


class EmailTemplate(models.Model):
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    category = models.CharField(
        max_length=64, null=True, blank=True, help_text="Contact category (e.g. avocat, blogger); empty = general."
    )
    subject = models.CharField(max_length=500)
    body_html = models.TextField()
    body_text = models.TextField(blank=True, default="", help_text="Generated from the HTML when empty.")
    variables = models.JSONField(default=list, blank=True, editable=False, help_text="Placeholders used, derived at save.")
    is_default = models.BooleanField(
        default=False, help_text="The template the selection chain uses for this language and category."
    )
    total_sent = models.BigIntegerField(default=0, editable=False)
    avg_open_rate = models.FloatField(default=0.0, editable=False)
    avg_click_rate = models.FloatField(default=0.0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("language", "category", "-is_default", "name")
        verbose_name = "template"
        constraints = [
            models.UniqueConstraint(
                fields=["language", "category"],
                condition=Q(is_default=True, category__isnull=False),
                name="templates_one_default_per_language_category",
                violation_error_message="Another template is already the default for this language and category.",
            ),
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(is_default=True, category__isnull=True),
                name="templates_one_general_default_per_language",
                violation_error_message="Another general template is already the default for this language.",
            ),
            models.CheckConstraint(
                condition=Q(language__in=rendering.LANGUAGES), name="templates_language_is_supported"
            ),
            models.CheckConstraint(condition=~Q(category=""), name="templates_category_null_not_empty"),
        ]
        indexes = [models.Index(fields=["is_default", "language"], name="templates_default_language")]

    def __str__(self):
        return f"{self.name} ({self.language}, {self.category or GENERAL})"

    @property
    def category_label(self):
        return self.category or GENERAL

    def clean(self):
        self.category = category_normalise(self.category)
        self.variables = self.placeholders_check()

    def save(self, *args, **kwargs):
        self.category = category_normalise(self.category)
        self.variables = self.placeholders_check()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"variables", "category", "updated_at"}
        super().save(*args, **kwargs)

    def placeholders_check(self):
        """The placeholder names used (in order of first use); a ValidationError naming the field otherwise."""
        try:
            return rendering.template_check(
                subject=self.subject or "", body_html=self.body_html or "", body_text=self.body_text or ""
            )
        except rendering.TemplateSyntaxProblem as problem:
            raise ValidationError({problem.field: str(problem)}) from problem
