"""The starter templates seed: both brands get the 9 general defaults, SOS-Expat its categories; never overwritten."""
from django.db import connection

from fixtures.seed import SEED_STEPS
from templates_app import rendering
from templates_app.models import EmailTemplate
from templates_app.seed import seed_starter_templates
from templates_app.selectors import template_select


def _no_progress(items, **_):
    return items


def _defaults(tenant):
    connection.set_tenant(tenant)
    return {(t.language, t.category) for t in EmailTemplate.objects.filter(is_default=True)}


def test_it_is_a_step_of_seed_enterprise_data():
    assert "templates_app.seed.seed_starter_templates" in SEED_STEPS


def test_it_gives_each_brand_nine_general_defaults_and_sos_expat_its_categories(brands):
    created = seed_starter_templates(progress=_no_progress)
    general = {(language, None) for language in rendering.LANGUAGES}
    assert _defaults(brands.ulixai) == general
    categories = {("fr", "avocat"), ("en", "avocat"), ("fr", "blogger"), ("en", "blogger")}
    assert _defaults(brands.sos) == general | categories
    assert created == {"templates": 2 * len(general) + len(categories)}

    connection.set_tenant(brands.sos)
    assert template_select(language="fr", category="avocat").matched == "exact"
    assert template_select(language="de", category="avocat").matched == "language"
    for template in EmailTemplate.objects.all():
        template_select(language=template.language, pinned_template_id=template.pk).compiled.render({})


def test_running_it_again_creates_nothing(brands):
    seed_starter_templates(progress=_no_progress)
    connection.set_schema_to_public()
    assert seed_starter_templates(progress=_no_progress) == {"templates": 0}
    connection.set_tenant(brands.sos)
    assert EmailTemplate.objects.count() == 13


def test_it_never_overwrites_an_edited_template(brands):
    seed_starter_templates(progress=_no_progress)
    connection.set_tenant(brands.ulixai)
    edited = EmailTemplate.objects.get(language="fr", category__isnull=True)
    edited.subject = "Notre nouvel objet, {firstName|cher partenaire}"
    edited.save()
    retired = EmailTemplate.objects.get(language="de", category__isnull=True)
    retired.is_default = False
    retired.save()

    connection.set_schema_to_public()
    assert seed_starter_templates(progress=_no_progress) == {"templates": 0}
    connection.set_tenant(brands.ulixai)
    assert EmailTemplate.objects.get(pk=edited.pk).subject == "Notre nouvel objet, {firstName|cher partenaire}"
    assert EmailTemplate.objects.filter(language="de").count() == 1


def test_it_fills_only_the_slots_that_are_missing(brands):
    connection.set_tenant(brands.sos)
    own = EmailTemplate.objects.create(
        name="Our own EN", language="en", subject="Hi", body_html="<p>Ours</p>", is_default=True
    )
    connection.set_schema_to_public()
    assert seed_starter_templates(progress=_no_progress)["templates"] == 2 * 9 + 4 - 1
    connection.set_tenant(brands.sos)
    assert template_select(language="en", category=None).template == own
