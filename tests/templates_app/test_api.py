"""/api/v2/templates/{tenant}: CRUD, scopes, brand isolation and the two render endpoints."""
import pytest
from django.db import connection

from templates_app.models import EmailTemplate

from .factories import EmailTemplateFactory

READ_WRITE = ["templates:read", "templates:write"]


@pytest.fixture
def sos_client(brands, make_api_key, api_client):
    return api_client(make_api_key(["sos-expat"], READ_WRITE))


@pytest.fixture
def in_sos(brands):
    """Create rows in SOS-Expat's schema, then give the connection back to the request cycle."""

    def make(**fields):
        connection.set_tenant(brands.sos)
        try:
            return EmailTemplateFactory(**fields)
        finally:
            connection.set_schema_to_public()

    return make


def _contact(tenant, **fields):
    from contacts.models import Contact

    connection.set_tenant(tenant)
    try:
        return Contact.objects.create(**fields)
    finally:
        connection.set_schema_to_public()


NEW = {
    "name": "Avocat FR",
    "language": "fr",
    "category": "avocat",
    "subject": "Bonjour {firstName}, développez votre cabinet",
    "body_html": "<p>Bonjour {firstName},</p><p>{company|Votre cabinet} mérite plus de clients.</p>",
    "is_default": True,
}


class TestCrud:
    def test_it_creates_lists_reads_updates_and_deletes_a_template(self, sos_client):
        created = sos_client.post("/api/v2/templates/sos-expat", NEW, format="json")
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["variables"] == ["firstName", "company"] and body["direction"] == "ltr"
        template_id = body["id"]

        listed = sos_client.get("/api/v2/templates/sos-expat?language=fr&category=avocat").json()
        assert [t["id"] for t in listed] == [template_id]
        assert sos_client.get("/api/v2/templates/sos-expat?category=general").json() == []

        updated = sos_client.put(
            f"/api/v2/templates/sos-expat/{template_id}", {"subject": "Maître {lastName|}"}, format="json"
        )
        assert updated.status_code == 200
        assert updated.json()["subject"] == "Maître {lastName|}" and updated.json()["name"] == "Avocat FR"
        assert updated.json()["variables"] == ["lastName", "firstName", "company"]

        assert sos_client.delete(f"/api/v2/templates/sos-expat/{template_id}").status_code == 204
        assert sos_client.get(f"/api/v2/templates/sos-expat/{template_id}").status_code == 404

    def test_it_refuses_an_unknown_placeholder_with_a_clear_400(self, sos_client):
        response = sos_client.post(
            "/api/v2/templates/sos-expat", {**NEW, "body_html": "<p>Hi {first_name}</p>"}, format="json"
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert error.startswith("body_html:") and "unknown placeholder {first_name}" in error
        assert "did you mean {firstName}" in error

    def test_it_refuses_unbalanced_braces_on_update(self, sos_client, in_sos):
        template = in_sos(subject="Hi")
        response = sos_client.put(
            f"/api/v2/templates/sos-expat/{template.pk}", {"subject": "Hi {firstName"}, format="json"
        )
        assert response.status_code == 400 and "subject" in response.json()["error"]
        assert "not closed" in response.json()["error"]

    def test_a_second_default_for_a_slot_is_a_409_naming_the_current_one(self, sos_client, in_sos):
        current = in_sos(language="fr", category="avocat", is_default=True, name="Current")
        response = sos_client.post("/api/v2/templates/sos-expat", NEW, format="json")
        assert response.status_code == 409
        assert "'Current' is already the default for (fr, avocat)" in response.json()["error"]
        assert response.json()["default_template_id"] == current.pk

    def test_make_default_swaps_the_default_of_the_slot(self, sos_client, in_sos, brands):
        current = in_sos(language="fr", category=None, is_default=True)
        challenger = in_sos(language="fr", category=None, is_default=False)
        response = sos_client.post(f"/api/v2/templates/sos-expat/{challenger.pk}/default")
        assert response.status_code == 200 and response.json()["is_default"] is True
        connection.set_tenant(brands.sos)
        assert list(EmailTemplate.objects.filter(is_default=True)) == [challenger]
        current.refresh_from_db()
        assert current.is_default is False

    def test_a_read_only_key_cannot_write(self, brands, make_api_key, api_client):
        reader = api_client(make_api_key(["sos-expat"], ["templates:read"]))
        assert reader.get("/api/v2/templates/sos-expat").status_code == 200
        response = reader.post("/api/v2/templates/sos-expat", NEW, format="json")
        assert response.status_code == 403 and "templates:write" in response.json()["error"]

    def test_a_key_without_templates_read_cannot_list_or_render(self, brands, make_api_key, api_client, in_sos):
        template = in_sos()
        client = api_client(make_api_key(["sos-expat"], ["contacts:read"]))
        assert client.get("/api/v2/templates/sos-expat").status_code == 403
        render = client.post(f"/api/v2/templates/sos-expat/{template.pk}/render", {"variables": {}}, format="json")
        assert render.status_code == 403


class TestBrandIsolation:
    def test_one_brands_key_cannot_read_or_render_the_other_brands_templates(
        self, brands, make_api_key, api_client, in_sos
    ):
        template = in_sos(is_default=True)
        ulixai = api_client(make_api_key(["ulixai"], READ_WRITE))
        for response in (
            ulixai.get("/api/v2/templates/sos-expat"),
            ulixai.get(f"/api/v2/templates/sos-expat/{template.pk}"),
            ulixai.get(f"/api/v2/templates/1/{template.pk}"),
            ulixai.post(f"/api/v2/templates/sos-expat/{template.pk}/render", {"variables": {}}, format="json"),
            ulixai.post("/api/v2/templates/sos-expat/render", {"language": "en", "variables": {}}, format="json"),
            ulixai.delete(f"/api/v2/templates/sos-expat/{template.pk}"),
        ):
            assert response.status_code == 403
            assert "not granted brand 'sos-expat'" in response.json()["error"]

    def test_the_same_id_in_the_own_brand_is_another_template(self, brands, make_api_key, api_client, in_sos):
        template = in_sos(id=777001)
        ulixai = api_client(make_api_key(["ulixai"], READ_WRITE))
        assert ulixai.get(f"/api/v2/templates/ulixai/{template.pk}").status_code == 404
        response = ulixai.post(f"/api/v2/templates/ulixai/{template.pk}/render", {"variables": {}}, format="json")
        assert response.status_code == 404


class TestRenderOneTemplate:
    def test_it_renders_with_variables_escaping_html_only_in_the_html_body(self, sos_client, in_sos):
        template = in_sos(
            subject="Hello {firstName}", body_html="<p>Hi {firstName}, from {company|us}</p>", body_text=""
        )
        response = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render",
            {"variables": {"firstName": "<script>alert(1)</script>"}},
            format="json",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert set(body) == {"subject", "html", "text", "language", "direction"}
        assert body["subject"] == "Hello <script>alert(1)</script>"
        assert "Hi &lt;script&gt;alert(1)&lt;/script&gt;, from us" in body["html"]
        assert "<script>" not in body["html"]
        assert "Hi <script>alert(1)</script>, from us" in body["text"]
        assert (body["language"], body["direction"]) == ("en", "ltr")

    def test_a_line_break_in_a_value_never_reaches_the_subject(self, sos_client, in_sos):
        template = in_sos(subject="Hello {firstName}")
        response = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render",
            {"variables": {"firstName": "Ann\r\nBcc: victim@example.com"}},
            format="json",
        )
        assert "\n" not in response.json()["subject"] and "\r" not in response.json()["subject"]

    def test_an_empty_value_uses_the_inline_fallback(self, sos_client, in_sos):
        template = in_sos(subject="{firstName|Hello there}!", body_html="<p>{firstName|Hi}</p>")
        body = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render", {"variables": {"firstName": "  "}}, format="json"
        ).json()
        assert body["subject"] == "Hello there!" and "<p>Hi</p>" in body["html"]

    def test_a_missing_variable_is_a_422_naming_it(self, sos_client, in_sos):
        template = in_sos(subject="Hi", body_html="<p>Dear {firstName}, about {company}</p>")
        response = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render", {"variables": {"company": "Acme"}}, format="json"
        )
        assert response.status_code == 422
        assert response.json()["variable"] == "firstName"
        assert "firstName" in response.json()["error"] and response.json()["success"] is False

    def test_it_renders_for_a_contact_with_custom_fields(self, brands, sos_client, in_sos):
        template = in_sos(
            subject="{firstName}, {custom.offer}", body_html="<p>{firstName} {lastName} in {city}</p>"
        )
        contact = _contact(
            brands.sos, email="lea@example.com", first_name="Léa", last_name="O'Brien", city="Lyon",
            custom_fields={"offer": "-20%"},
        )
        body = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render", {"contact_id": contact.pk}, format="json"
        ).json()
        assert body["subject"] == "Léa, -20%"
        assert "Léa O&#x27;Brien in Lyon" in body["html"]

    def test_an_arabic_template_comes_back_as_a_right_to_left_document(self, sos_client, in_sos):
        template = in_sos(language="ar", subject="مرحبا {firstName|بك}", body_html="<p>مرحبا {firstName|بك}</p>")
        body = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render", {"variables": {}}, format="json"
        ).json()
        assert (body["language"], body["direction"]) == ("ar", "rtl")
        assert body["html"].startswith("<!DOCTYPE html>")
        assert '<html dir="rtl" lang="ar">' in body["html"] and '<meta charset="UTF-8">' in body["html"]
        assert "direction: rtl" in body["html"] and "text-align: right" in body["html"]

    def test_an_authors_full_document_is_normalised_to_one_document(self, sos_client, in_sos):
        template = in_sos(
            language="ar",
            body_html='<html lang="en" dir="ltr"><head><meta charset="iso-8859-1"></head><body><p>نص</p></body></html>',
        )
        html = sos_client.post(
            f"/api/v2/templates/sos-expat/{template.pk}/render", {"variables": {}}, format="json"
        ).json()["html"]
        assert html.count("<html") == 1 and html.count("<body") == 1 and html.count("charset") == 1
        assert '<html dir="rtl" lang="ar">' in html

    def test_it_refuses_unknown_variables_and_needs_contact_or_variables(self, sos_client, in_sos):
        template = in_sos()
        url = f"/api/v2/templates/sos-expat/{template.pk}/render"
        unknown = sos_client.post(url, {"variables": {"firstname": "x"}}, format="json")
        assert unknown.status_code == 400 and "unknown variable(s) firstname" in unknown.json()["error"]
        neither = sos_client.post(url, {}, format="json")
        assert neither.status_code == 400 and "either contact_id or variables" in neither.json()["error"]
        nobody = sos_client.post(url, {"contact_id": 99999999}, format="json")
        assert nobody.status_code == 404 and "No contact 99999999" in nobody.json()["error"]


class TestSelectAndRender:
    @pytest.fixture
    def chain(self, in_sos):
        return {
            "fr_avocat": in_sos(language="fr", category="avocat", is_default=True, subject="Maître {lastName|}"),
            "fr": in_sos(language="fr", category=None, is_default=True, subject="Bonjour {firstName|à vous}"),
            "en": in_sos(language="en", category=None, is_default=True, subject="Hello {firstName|there}"),
            "ar": in_sos(language="ar", category=None, is_default=True, subject="مرحبا {firstName|بك}"),
        }

    @pytest.mark.parametrize(
        "language, category, expected, matched",
        [("fr", "avocat", "fr_avocat", "exact"), ("fr", "blogger", "fr", "language"), ("de", "avocat", "en", "fallback_en")],
    )
    def test_it_reports_the_template_and_the_step_that_matched(
        self, sos_client, chain, language, category, expected, matched
    ):
        response = sos_client.post(
            "/api/v2/templates/sos-expat/render",
            {"language": language, "category": category, "variables": {"lastName": "Durand"}},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["template_id"], response.json()["matched"]) == (chain[expected].pk, matched)

    def test_it_takes_language_and_category_from_the_contact(self, brands, sos_client, chain):
        contact = _contact(brands.sos, email="m@example.com", first_name="Sami", language="ar", category="avocat")
        body = sos_client.post("/api/v2/templates/sos-expat/render", {"contact_id": contact.pk}, format="json").json()
        assert (body["template_id"], body["matched"], body["direction"]) == (chain["ar"].pk, "language", "rtl")
        assert body["subject"] == "مرحبا Sami" and '<html dir="rtl" lang="ar">' in body["html"]

    def test_nothing_to_select_is_a_404_naming_what_is_missing(self, sos_client, in_sos):
        in_sos(language="fr", category=None, is_default=True)
        response = sos_client.post(
            "/api/v2/templates/sos-expat/render", {"language": "es", "category": "blogger", "variables": {}}, format="json"
        )
        assert response.status_code == 404
        assert "(es, blogger), (es, general), (en, general)" in response.json()["error"]

    def test_variables_need_a_language(self, sos_client, chain):
        response = sos_client.post("/api/v2/templates/sos-expat/render", {"variables": {}}, format="json")
        assert response.status_code == 400 and "language" in response.json()["error"]
