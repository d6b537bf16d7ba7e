"""The Celery app. Brand-scoped tasks take the tenant id as their first argument.

`brand_task` wraps a function so that its body runs inside that brand's PostgreSQL
schema; `for_each_brand` is what beat calls for jobs that concern every brand.
"""
import functools
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emailengine.settings")

app = Celery("emailengine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="mailwizz_tasks")

BEAT_MODULES = ("contacts.beat", "templates_app.beat", "deliverability.beat", "deliverability.mailwizz_beat", "campaigns.beat")


@app.on_after_configure.connect
def beat_schedule_collect(sender, **kwargs):
    """Each app declares its periodic jobs in a beat module as SCHEDULE = {name: entry}."""
    import importlib

    for name in BEAT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        sender.conf.beat_schedule.update(module.SCHEDULE)


def brand_task(*task_args, **task_options):
    """Decorator: `@brand_task(name=..., ...)` on `def f(tenant_id, ...)`.

    The task reloads the tenant by id and runs the body in its schema; the connection goes
    back to the schema it had before (a task run eagerly, inside a request or another
    brand's work, leaves its caller where it was).
    """

    def decorate(func):
        @functools.wraps(func)
        def run_in_brand(tenant_id, *args, **kwargs):
            from django_tenants.utils import tenant_context

            from tenants.models import Tenant

            with tenant_context(Tenant.objects.get(pk=tenant_id)):
                return func(tenant_id, *args, **kwargs)

        return app.task(*task_args, **task_options)(run_in_brand)

    return decorate


@app.task(name="emailengine.for_each_brand")
def for_each_brand(task_name, *args, **kwargs):
    """Beat entry point: enqueue `task_name(tenant_id, *args)` once for every active brand."""
    from tenants.models import Tenant

    for tenant_id in Tenant.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True):
        app.send_task(task_name, args=(tenant_id, *args), kwargs=kwargs)
