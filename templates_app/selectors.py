"""Reading templates: the selection chain, compiled templates and rendering for a contact.

Selection, for a contact with language L and category C, among the brand's default templates:
  1. (L, C)        -> matched "exact"
  2. (L, general)  -> matched "language"  ("exact" when C is general)
  3. (en, general) -> matched "fallback_en"
A campaign may instead pin one template for all its recipients (matched "pinned").

All functions run in the current brand's schema (an API view, the admin, a brand task or
`tenant_context`). Compiled templates are cached per (schema, template id, updated_at), so an
edited template is recompiled on its next use and two brands never share an entry.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from . import rendering
from .models import GENERAL, EmailTemplate, category_normalise

FALLBACK_LANGUAGE = "en"


class Matched:
    EXACT = "exact"
    LANGUAGE = "language"
    FALLBACK_EN = "fallback_en"
    PINNED = "pinned"


class TemplateNotFound(LookupError):
    """No template answers a selection (or a pinned template does not exist)."""


class TemplateChoice(NamedTuple):
    template: EmailTemplate
    matched: str
    compiled: rendering.CompiledTemplate


def language_normalise(language):
    """'pt-BR' -> 'pt', 'FR' -> 'fr'; None/'' -> ''. Languages outside the 9 go to the English fallback."""
    if not language:
        return ""
    return str(language).strip().replace("_", "-").split("-", 1)[0].lower()


def _slot_name(language, category):
    return f"({language or '?'}, {category or GENERAL})"


def _chain(language, category):
    """The (language, category, matched) steps to try, in order, without duplicates."""
    steps = []
    if language in rendering.LANGUAGES:
        if category is not None:
            steps.append((language, category, Matched.EXACT))
            steps.append((language, None, Matched.LANGUAGE))
        else:
            steps.append((language, None, Matched.EXACT))
    if (FALLBACK_LANGUAGE, None) not in [(lang, cat) for lang, cat, _ in steps]:
        steps.append((FALLBACK_LANGUAGE, None, Matched.FALLBACK_EN))
    return steps


def _not_found(language, category, steps):
    tried = ", ".join(_slot_name(lang, cat) for lang, cat, _ in steps)
    brand = getattr(connection, "tenant", None)
    where = f" in brand {brand.slug!r}" if getattr(brand, "slug", None) else ""
    return TemplateNotFound(
        f"No default template for language {language or '(none)'!r} and category {category or GENERAL!r}{where}: "
        f"tried {tried}. Create a default template for one of them (at least (en, general))."
    )


# ------------------------------------------------------------------------------------------
# Compiled templates
# ------------------------------------------------------------------------------------------

_COMPILED_MAX = 512
_compiled = OrderedDict()
_compiled_lock = threading.Lock()


def template_compiled(*, template: EmailTemplate) -> rendering.CompiledTemplate:
    """The compiled form of `template`, cached per (schema, id, updated_at)."""
    key = (connection.schema_name, template.pk, template.updated_at)
    with _compiled_lock:
        found = _compiled.get(key)
        if found is not None:
            _compiled.move_to_end(key)
            return found
    compiled = rendering.compile_template(
        subject=template.subject, body_html=template.body_html, body_text=template.body_text,
        language=template.language,
    )
    if template.pk is not None:
        with _compiled_lock:
            _compiled[key] = compiled
            while len(_compiled) > _COMPILED_MAX:
                _compiled.popitem(last=False)
    return compiled


# ------------------------------------------------------------------------------------------
# Selection
# ------------------------------------------------------------------------------------------


def template_get(*, template_id) -> EmailTemplate:
    """One template of the current brand, or TemplateNotFound naming it."""
    template = EmailTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise TemplateNotFound(f"No template {template_id} in this brand.")
    return template


def template_list(*, language=None, category=None, is_default=None):
    """The brand's templates, optionally filtered (category 'general' = no category)."""
    queryset = EmailTemplate.objects.all()
    if language:
        queryset = queryset.filter(language=language_normalise(language))
    if category is not None:
        normalised = category_normalise(category)
        queryset = queryset.filter(category__isnull=True) if normalised is None else queryset.filter(category=normalised)
    if is_default is not None:
        queryset = queryset.filter(is_default=is_default)
    return queryset


def template_default_get(*, language, category=None):
    """The default template of exactly this (language, category) slot, or None."""
    return EmailTemplate.objects.filter(
        is_default=True, language=language, category=category_normalise(category)
    ).first()


def template_select(*, language, category=None, pinned_template_id=None) -> TemplateChoice:
    """The template for a recipient with `language` and `category`, and which step matched.

    With `pinned_template_id` that template is used whatever the language (matched "pinned").
    Raises TemplateNotFound naming the slots tried.
    """
    if pinned_template_id is not None:
        template = template_get(template_id=pinned_template_id)
        return TemplateChoice(template, Matched.PINNED, template_compiled(template=template))
    language = language_normalise(language)
    category = category_normalise(category)
    steps = _chain(language, category)
    slot_filter = Q()
    for lang, cat, _ in steps:
        slot_filter |= Q(language=lang, category=cat) if cat is not None else Q(language=lang, category__isnull=True)
    found = {(t.language, t.category): t for t in EmailTemplate.objects.filter(slot_filter, is_default=True)}
    for lang, cat, matched in steps:
        template = found.get((lang, cat))
        if template is not None:
            return TemplateChoice(template, matched, template_compiled(template=template))
    raise _not_found(language, category, steps)


class TemplateChainResolver:
    """The selection chain over defaults loaded once: resolve() runs in memory, for dispatch.

    Build it with template_chain_resolver() inside the brand's schema. Results are memoised
    per (language, category), and compiled templates are shared by all recipients.
    """

    def __init__(self, templates, *, pinned=None):
        self._defaults = {(t.language, t.category): t for t in templates}
        self._pinned = pinned
        self._memo = {}
        if pinned is not None:
            self._pinned_choice = TemplateChoice(pinned, Matched.PINNED, template_compiled(template=pinned))

    @property
    def templates(self):
        """The templates this resolver can answer with."""
        if self._pinned is not None:
            return [self._pinned]
        return list(self._defaults.values())

    def resolve(self, *, language, category=None) -> TemplateChoice:
        """The TemplateChoice for one recipient; TemplateNotFound when the chain finds nothing."""
        if self._pinned is not None:
            return self._pinned_choice
        key = (language, category)
        choice = self._memo.get(key)
        if choice is None:
            choice = self._memo[key] = self._resolve(language_normalise(language), category_normalise(category))
        return choice

    def _resolve(self, language, category):
        steps = _chain(language, category)
        for lang, cat, matched in steps:
            template = self._defaults.get((lang, cat))
            if template is not None:
                return TemplateChoice(template, matched, template_compiled(template=template))
        raise _not_found(language, category, steps)


def template_chain_resolver(*, pinned_template_id=None) -> TemplateChainResolver:
    """Load the brand's default templates once (or the pinned one) and resolve recipients in memory."""
    if pinned_template_id is not None:
        return TemplateChainResolver([], pinned=template_get(template_id=pinned_template_id))
    return TemplateChainResolver(list(EmailTemplate.objects.filter(is_default=True).order_by()))


# ------------------------------------------------------------------------------------------
# Values and rendering (previews, API)
# ------------------------------------------------------------------------------------------

PREVIEW_UNSUBSCRIBE_URL = rendering.sample_values()["unsubscribeUrl"]


class ContactNotFound(LookupError):
    pass


def template_contact_values(*, contact_id) -> tuple[object, dict]:
    """(contact, placeholder values) for a contact of the current brand; ContactNotFound otherwise."""
    from contacts.models import Contact

    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise ContactNotFound(f"No contact {contact_id} in this brand.")
    return contact, rendering.contact_values(contact)


def template_preview_values(values) -> dict:
    """Values for a preview render: an unsubscribe link is filled in unless given (dispatch sets the real one)."""
    values = dict(values)
    if not values.get("unsubscribeUrl"):
        values["unsubscribeUrl"] = PREVIEW_UNSUBSCRIBE_URL
    return values


def template_render(*, template: EmailTemplate, values) -> rendering.RenderedMessage:
    """Render `template` with placeholder `values`; raises rendering.MissingVariable."""
    return template_compiled(template=template).render(values)
