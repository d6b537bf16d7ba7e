"""Templates in the admin: list with stats, edit form refusing bad placeholders, previews in iframes."""
import pytest
from django.db import connection

from templates_app.models import EmailTemplate

from .factories import EmailTemplateFactory


@pytest.fixture
def operator(brands, make_user, client):
    client.force_login(make_user("sos-op", grants={"sos-expat": "operator"}))
    return client


@pytest.fixture
def in_sos(brands):
    def make(**fields):
        connection.set_tenant(brands.sos)
        try:
            return EmailTemplateFactory(**fields)
        finally:
            connection.set_schema_to_public()

    return make


FORM = {
    "name": "Blogger EN",
    "language": "en",
    "category": "blogger",
    "subject": "Hi {firstName|there}",
    "body_html": "<p>Hello {firstName|there}</p>",
    "body_text": "",
}


class TestListAndForm:
    def test_the_list_shows_language_category_default_and_stats(self, operator, in_sos):
        in_sos(name="Avocat FR", language="fr", category="avocat", is_default=True, total_sent=1200,
               avg_open_rate=0.315, avg_click_rate=0.042)
        in_sos(name="General EN", language="en", category=None)
        page = operator.get("/admin/templates_app/emailtemplate/").content.decode()
        assert "Avocat FR" in page and "avocat" in page and "31.5%" in page and "4.2%" in page and "1200" in page
        assert "general" in page
        general_only = operator.get("/admin/templates_app/emailtemplate/?category=general").content.decode()
        assert "General EN" in general_only and "Avocat FR" not in general_only

    def test_the_form_saves_a_valid_template_with_its_variables(self, operator, brands):
        response = operator.post("/admin/templates_app/emailtemplate/add/", FORM)
        assert response.status_code == 302
        connection.set_tenant(brands.sos)
        template = EmailTemplate.objects.get(name="Blogger EN")
        assert template.variables == ["firstName"] and template.category == "blogger"

    def test_the_form_refuses_an_unknown_placeholder_with_the_reason(self, operator, brands):
        response = operator.post(
            "/admin/templates_app/emailtemplate/add/", {**FORM, "body_html": "<p>Hello {prenom}</p>"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "unknown placeholder {prenom}" in page
        connection.set_tenant(brands.sos)
        assert not EmailTemplate.objects.exists()

    def test_the_form_refuses_a_second_default_for_a_slot(self, operator, in_sos, brands):
        in_sos(language="en", category="blogger", is_default=True)
        response = operator.post("/admin/templates_app/emailtemplate/add/", {**FORM, "is_default": "on"})
        assert response.status_code == 200
        assert "already the default for this language and category" in response.content.decode()

    def test_the_make_default_action_swaps_the_default(self, operator, in_sos, brands):
        old = in_sos(language="en", category=None, is_default=True)
        new = in_sos(language="en", category=None, is_default=False)
        operator.post(
            "/admin/templates_app/emailtemplate/", {"action": "make_default", "_selected_action": [new.pk]}
        )
        connection.set_tenant(brands.sos)
        assert list(EmailTemplate.objects.filter(is_default=True)) == [new]
        assert not EmailTemplate.objects.get(pk=old.pk).is_default


class TestPreview:
    def test_the_preview_page_frames_a_render_url_and_shows_subject_and_text(self, operator, in_sos):
        template = in_sos(language="en", subject="Hello {firstName}", body_html="<p>Hi {firstName}</p>")
        page = operator.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/").content.decode()
        render_url = f"/admin/templates_app/emailtemplate/{template.pk}/preview/render/"
        assert f'src="{render_url}"' in page and "sandbox" in page
        assert "Hello Emma" in page and "Hi Emma" in page  # the English sample contact

    def test_the_rendered_document_is_served_under_a_strict_csp(self, operator, in_sos):
        template = in_sos(language="ar", subject="s", body_html="<p>مرحبا {firstName}</p><script>alert(1)</script>")
        response = operator.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/render/")
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data: https:")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        html = response.content.decode()
        assert '<html dir="rtl" lang="ar">' in html and "مرحبا أحمد" in html

    def test_it_previews_for_a_chosen_contact_with_escaping(self, operator, in_sos, brands):
        from contacts.models import Contact

        template = in_sos(subject="Hello {firstName}", body_html="<p>Hi {firstName}</p>")
        connection.set_tenant(brands.sos)
        contact = Contact.objects.create(email="x@example.com", first_name="<b>Bob</b>")
        connection.set_schema_to_public()
        html = operator.get(
            f"/admin/templates_app/emailtemplate/{template.pk}/preview/render/?contact={contact.pk}"
        ).content.decode()
        assert "Hi &lt;b&gt;Bob&lt;/b&gt;" in html
        page = operator.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/?contact={contact.pk}")
        assert f"preview/render/?contact={contact.pk}" in page.content.decode()

    def test_a_missing_variable_is_shown_instead_of_a_broken_email(self, operator, in_sos, brands):
        from contacts.models import Contact

        template = in_sos(subject="Hello", body_html="<p>Hi {firstName}</p>")
        connection.set_tenant(brands.sos)
        contact = Contact.objects.create(email="nameless@example.com")
        connection.set_schema_to_public()
        page = operator.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/?contact={contact.pk}")
        assert "Cannot render" in page.content.decode() and "{firstName}" in page.content.decode()
        frame = operator.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/render/?contact={contact.pk}")
        assert frame.status_code == 422 and "firstName" in frame.content.decode()

    def test_another_brands_template_is_not_reachable(self, brands, make_user, client, in_sos):
        template = in_sos(id=880001)
        client.force_login(make_user("uli", grants={"ulixai": "operator"}))
        assert client.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/").status_code == 404
        assert client.get(f"/admin/templates_app/emailtemplate/{template.pk}/preview/render/").status_code == 404


class TestFamily:
    def test_it_shows_the_nine_languages_side_by_side_with_fallbacks(self, operator, in_sos):
        base = in_sos(language="fr", category="avocat", is_default=True, name="Avocat FR")
        in_sos(language="en", category="avocat", is_default=True, name="Avocat EN")
        in_sos(language="en", category=None, is_default=True, name="General EN")
        in_sos(language="ar", category=None, is_default=True, name="General AR")
        page = operator.get(f"/admin/templates_app/emailtemplate/{base.pk}/family/").content.decode()
        assert page.count("<iframe") == 9
        assert 'data-language="ar" data-direction="rtl"' in page
        assert 'data-language="fr" data-direction="ltr"' in page
        assert "the chain uses ar, general (language)" in page
        assert "the chain uses en, general (fallback_en)" in page  # e.g. Russian
        assert "sample_language=ru" in page
