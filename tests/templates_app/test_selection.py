"""The selection chain: (language, category) -> (language, general) -> (en, general), and pinned templates."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from templates_app import rendering
from templates_app.selectors import (
    TemplateNotFound,
    template_chain_resolver,
    template_compiled,
    template_select,
)
from templates_app.services import template_update

from .factories import EmailTemplateFactory


def _selects(captured):
    """Queries other than django-tenants' `SET search_path` on each new cursor."""
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]


@pytest.fixture
def chain(brands):
    """SOS-Expat with (fr, avocat), (fr, general) and (en, general) defaults, plus a non-default (de, general)."""
    connection.set_tenant(brands.sos)
    return {
        "fr_avocat": EmailTemplateFactory(language="fr", category="avocat", is_default=True),
        "fr": EmailTemplateFactory(language="fr", category=None, is_default=True),
        "en": EmailTemplateFactory(language="en", category=None, is_default=True),
        "de_draft": EmailTemplateFactory(language="de", category=None, is_default=False),
    }


class TestTemplateSelect:
    def test_language_and_category_match_exactly(self, chain):
        choice = template_select(language="fr", category="avocat")
        assert (choice.template, choice.matched) == (chain["fr_avocat"], "exact")

    def test_a_missing_category_falls_back_to_the_languages_general_template(self, chain):
        choice = template_select(language="fr", category="blogger")
        assert (choice.template, choice.matched) == (chain["fr"], "language")

    def test_a_missing_language_falls_back_to_english_general(self, chain):
        choice = template_select(language="ru", category="avocat")
        assert (choice.template, choice.matched) == (chain["en"], "fallback_en")

    def test_a_general_request_matching_its_language_is_exact(self, chain):
        assert template_select(language="fr", category=None).matched == "exact"
        assert template_select(language="fr", category="").matched == "exact"

    def test_only_default_templates_are_selected(self, chain):
        """The (de, general) draft is not a default, so German goes to English."""
        choice = template_select(language="de", category=None)
        assert (choice.template, choice.matched) == (chain["en"], "fallback_en")

    def test_language_codes_are_normalised(self, chain):
        assert template_select(language="FR-ca", category="Avocat").template == chain["fr_avocat"]
        assert template_select(language=None, category=None).matched == "fallback_en"

    def test_it_names_what_is_missing_when_nothing_matches(self, brands):
        connection.set_tenant(brands.ulixai)
        EmailTemplateFactory(language="fr", category=None, is_default=False)
        with pytest.raises(TemplateNotFound) as caught:
            template_select(language="es", category="avocat")
        message = str(caught.value)
        assert "(es, avocat), (es, general), (en, general)" in message
        assert "'ulixai'" in message

    def test_a_pinned_template_is_used_whatever_the_language(self, chain):
        choice = template_select(language="ar", category="blogger", pinned_template_id=chain["de_draft"].pk)
        assert (choice.template, choice.matched) == (chain["de_draft"], "pinned")

    def test_a_pinned_template_that_does_not_exist_is_an_error(self, chain):
        with pytest.raises(TemplateNotFound, match="No template 999999"):
            template_select(language="fr", pinned_template_id=999999)


class TestChainResolver:
    def test_it_loads_the_defaults_once_and_resolves_in_memory(self, chain):
        with CaptureQueriesContext(connection) as loading:
            resolver = template_chain_resolver()
        with CaptureQueriesContext(connection) as resolving:
            got = [
                (choice.template.pk, choice.matched)
                for choice in (
                    resolver.resolve(language=language, category=category)
                    for language, category in [("fr", "avocat"), ("fr", "blogger"), ("ar", None), ("fr", None)] * 500
                )
            ]
        assert len(_selects(loading)) == 1 and _selects(resolving) == []
        assert got[:4] == [
            (chain["fr_avocat"].pk, "exact"),
            (chain["fr"].pk, "language"),
            (chain["en"].pk, "fallback_en"),
            (chain["fr"].pk, "exact"),
        ]
        assert len(got) == 2000

    def test_it_gives_a_compiled_template_ready_to_render(self, chain):
        choice = template_chain_resolver().resolve(language="fr", category="avocat")
        message = choice.compiled.render({"firstName": "Léa"})
        assert message.subject == "Hello Léa" and message.language == "fr"

    def test_it_raises_for_a_recipient_nothing_matches(self, brands):
        connection.set_tenant(brands.ulixai)
        resolver = template_chain_resolver()
        with pytest.raises(TemplateNotFound, match=r"\(en, general\)"):
            resolver.resolve(language="fr", category=None)

    def test_a_pinned_resolver_answers_the_pinned_template_for_everyone(self, chain):
        resolver = template_chain_resolver(pinned_template_id=chain["de_draft"].pk)
        for language, category in [("fr", "avocat"), ("ar", None)]:
            choice = resolver.resolve(language=language, category=category)
            assert (choice.template, choice.matched) == (chain["de_draft"], "pinned")
        assert resolver.templates == [chain["de_draft"]]


class TestCompiledCache:
    def test_it_reuses_the_compiled_template_until_the_template_changes(self, chain):
        template = chain["en"]
        first = template_compiled(template=template)
        assert template_compiled(template=template) is first
        template_update(template=template, subject="Bonjour {firstName|toi}")
        recompiled = template_compiled(template=template)
        assert recompiled is not first
        assert recompiled.render({}).subject == "Bonjour toi"

    def test_two_brands_with_the_same_template_id_do_not_share_an_entry(self, brands):
        connection.set_tenant(brands.sos)
        sos = EmailTemplateFactory(id=424242, subject="SOS {firstName|x}")
        connection.set_tenant(brands.ulixai)
        ulixai = EmailTemplateFactory(id=424242, subject="Ulixai {firstName|x}")
        ulixai.updated_at = sos.updated_at  # the worst case: same id and same timestamp
        connection.set_tenant(brands.sos)
        assert template_compiled(template=sos).render({}).subject == "SOS x"
        connection.set_tenant(brands.ulixai)
        assert template_compiled(template=ulixai).render({}).subject == "Ulixai x"

    def test_compiled_templates_are_rendering_objects(self, chain):
        assert isinstance(template_compiled(template=chain["fr"]), rendering.CompiledTemplate)
