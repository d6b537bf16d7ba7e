"""The EmailTemplate model: one default per slot in the database, placeholders checked at save."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from templates_app.models import EmailTemplate

from .factories import EmailTemplateFactory


@pytest.fixture
def sos(brands):
    connection.set_tenant(brands.sos)
    return brands.sos


class TestOneDefaultPerSlot:
    def test_the_database_refuses_a_second_default_for_a_language_and_category(self, sos):
        """Even a raw save that skips every Python check hits the partial unique index."""
        EmailTemplateFactory(language="fr", category="avocat", is_default=True)
        second = EmailTemplate(
            name="other", language="fr", category="avocat", subject="s", body_html="<p>b</p>", is_default=True
        )
        with pytest.raises(IntegrityError, match="templates_one_default_per_language_category"):
            with transaction.atomic():
                second.save()

    def test_the_database_refuses_a_second_general_default_for_a_language(self, sos):
        """General templates have a NULL category, which a plain unique index would not catch."""
        EmailTemplateFactory(language="fr", category=None, is_default=True)
        with pytest.raises(IntegrityError, match="templates_one_general_default_per_language"):
            with transaction.atomic():
                EmailTemplateFactory(language="fr", category="", is_default=True)

    def test_it_allows_many_non_defaults_and_one_default_per_other_slot(self, sos):
        EmailTemplateFactory(language="fr", category=None, is_default=True)
        EmailTemplateFactory(language="fr", category=None, is_default=False)
        EmailTemplateFactory(language="fr", category=None, is_default=False)
        EmailTemplateFactory(language="fr", category="avocat", is_default=True)
        EmailTemplateFactory(language="en", category=None, is_default=True)
        assert EmailTemplate.objects.filter(is_default=True).count() == 3

    def test_each_brand_has_its_own_defaults(self, brands):
        for brand in (brands.sos, brands.ulixai):
            connection.set_tenant(brand)
            EmailTemplateFactory(language="en", category=None, is_default=True)
        connection.set_tenant(brands.ulixai)
        assert EmailTemplate.objects.filter(is_default=True).count() == 1


class TestPlaceholdersAtSave:
    def test_it_refuses_an_unknown_placeholder_naming_the_field(self, sos):
        template = EmailTemplate(name="t", language="en", subject="Hi {firstname}", body_html="<p>x</p>")
        with pytest.raises(ValidationError) as caught:
            template.save()
        message = caught.value.message_dict["subject"][0]
        assert "unknown placeholder {firstname}" in message and "did you mean {firstName}" in message
        assert not EmailTemplate.objects.exists()

    def test_it_refuses_unbalanced_braces_in_the_body(self, sos):
        template = EmailTemplate(name="t", language="en", subject="Hi", body_html="<p>Hi {firstName</p>")
        with pytest.raises(ValidationError) as caught:
            template.full_clean()
        assert "body_html" in caught.value.message_dict
        assert "line 1" in caught.value.message_dict["body_html"][0]

    def test_it_derives_the_variables_from_the_placeholders(self, sos):
        template = EmailTemplateFactory(
            subject="{firstName|Hello}, a word for {company}",
            body_html="<p>{firstName|Hi} from {city} ({custom.plan|free})</p><style>p { color: red }</style>",
            body_text="{website}",
        )
        template.refresh_from_db()
        assert template.variables == ["firstName", "company", "city", "custom.plan", "website"]

    def test_an_empty_category_is_stored_as_general(self, sos):
        template = EmailTemplateFactory(category="  ")
        assert EmailTemplate.objects.get(pk=template.pk).category is None
        assert EmailTemplateFactory(category=" Avocat ").category == "avocat"
