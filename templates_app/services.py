"""Writing templates: create, update, delete, and making one template the default of its slot.

Checks come first and raise user-facing errors (django ValidationError for bad fields and
placeholders, DefaultTaken when the slot already has another default); the database's
partial unique indexes stay the last word when two saves race.
"""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import GENERAL, EmailTemplate, category_normalise

EDITABLE_FIELDS = ("name", "language", "category", "subject", "body_html", "body_text", "is_default")


class DefaultTaken(Exception):
    """The (language, category) slot already has a default template."""

    def __init__(self, *, language, category, current):
        self.current = current
        super().__init__(
            f"Template {current.pk} {current.name!r} is already the default for ({language}, {category or GENERAL}). "
            f"Make this one the default with template_make_default (API: POST .../{{id}}/default, admin action "
            f"'Make default'), or unset the other one first."
        )


def _default_holder(*, template):
    return (
        EmailTemplate.objects.select_for_update()
        .filter(is_default=True, language=template.language, category=template.category)
        .exclude(pk=template.pk)
        .first()
    )


def _check_and_save(template):
    template.category = category_normalise(template.category)
    template.full_clean(validate_constraints=False)
    with transaction.atomic():
        if template.is_default:
            current = _default_holder(template=template)
            if current is not None:
                raise DefaultTaken(language=template.language, category=template.category, current=current)
        try:
            with transaction.atomic():
                template.save()
        except IntegrityError as error:
            if "templates_one_" not in str(error):
                raise
            current = _default_holder(template=template)
            raise DefaultTaken(language=template.language, category=template.category, current=current or template) from error
    return template


def template_create(*, name, language, subject, body_html, category=None, body_text="", is_default=False) -> EmailTemplate:
    """A new template of the current brand; ValidationError for bad fields/placeholders, DefaultTaken."""
    template = EmailTemplate(
        name=name, language=language, category=category, subject=subject, body_html=body_html,
        body_text=body_text or "", is_default=is_default,
    )
    return _check_and_save(template)


def template_update(*, template: EmailTemplate, **changes) -> EmailTemplate:
    """Change the given editable fields; same checks as template_create."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Not editable: {', '.join(sorted(unknown))}.")
    for field, value in changes.items():
        setattr(template, field, "" if field == "body_text" and value is None else value)
    return _check_and_save(template)


@transaction.atomic
def template_make_default(*, template: EmailTemplate) -> EmailTemplate | None:
    """Make `template` the default of its slot, demoting the previous default; returns the demoted one."""
    list(EmailTemplate.objects.select_for_update().filter(pk=template.pk).values_list("pk"))
    previous = _default_holder(template=template)
    if previous is not None:
        previous.is_default = False
        previous.save(update_fields=["is_default"])
    if not template.is_default:
        template.is_default = True
        template.save(update_fields=["is_default"])
    return previous


def template_delete(*, template: EmailTemplate) -> None:
    template.delete()
