"""Test data for templates: saved in the current brand's schema (set it first)."""
import factory

from templates_app.models import EmailTemplate


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    language = "en"
    category = None
    subject = "Hello {firstName|there}"
    body_html = "<p>Hi {firstName|there}, welcome.</p>"
    body_text = ""
    is_default = False
