"""/api/v2/templates/{tenant}...: CRUD, making a template the default, and the two render endpoints.

Rendering is a read (scope templates:read). Render endpoints are previews: `unsubscribeUrl` is
filled with a preview link unless given; dispatch sets the real one.
"""
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from tenants.api import BrandAPIView, api_error

from . import rendering, selectors, services
from .serializers import (
    RenderedSerializer,
    SelectedRenderedSerializer,
    TemplateRenderInput,
    TemplateSelectRenderInput,
    TemplateSerializer,
    TemplateWriteSerializer,
)


def _validation_error(error: ValidationError):
    if hasattr(error, "message_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
        field, messages = next(iter(errors.items()))
        message = messages[0] if field == "__all__" else f"{field}: {messages[0]}"
        return api_error(message, errors=errors)
    return api_error(" ".join(str(m) for m in error.messages))


def _rendered(message: rendering.RenderedMessage) -> dict:
    return {
        "subject": message.subject, "html": message.html, "text": message.text,
        "language": message.language, "direction": message.direction,
    }


def _missing_variable(error: rendering.MissingVariable):
    return api_error(
        f"Missing variable {error.variable}: {error}", status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
        variable=error.variable,
    )


class _TemplatesView(BrandAPIView):
    scope_read = "templates:read"
    scope_write = "templates:write"

    def _template(self, template_id):
        try:
            return selectors.template_get(template_id=template_id)
        except selectors.TemplateNotFound as error:
            raise exceptions.NotFound(str(error)) from error

    def _save(self, save, *, created):
        try:
            template = save()
        except ValidationError as error:
            return _validation_error(error)
        except services.DefaultTaken as error:
            return api_error(str(error), status_code=status.HTTP_409_CONFLICT, default_template_id=error.current.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TemplateSerializer(template).data, status=code)


class TemplateListApi(_TemplatesView):
    @extend_schema(
        operation_id="templates_list",
        summary="List the brand's templates",
        parameters=[
            OpenApiParameter("language", str), OpenApiParameter("category", str, description="'general' = no category"),
            OpenApiParameter("is_default", bool),
        ],
        responses=TemplateSerializer(many=True),
    )
    def get(self, request, tenant):
        is_default = request.query_params.get("is_default")
        templates = selectors.template_list(
            language=request.query_params.get("language"),
            category=request.query_params.get("category"),
            is_default=None if is_default is None else is_default.lower() in ("1", "true", "yes"),
        )
        return Response(TemplateSerializer(templates, many=True).data)

    @extend_schema(
        operation_id="templates_create",
        summary="Create a template (placeholders checked; 409 if the default slot is taken)",
        request=TemplateWriteSerializer,
        responses={201: TemplateSerializer, 400: OpenApiResponse(description="bad field or placeholder"), 409: None},
    )
    def post(self, request, tenant):
        data = TemplateWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._save(lambda: services.template_create(**data.validated_data), created=True)


class TemplateDetailApi(_TemplatesView):
    @extend_schema(operation_id="templates_retrieve", summary="One template", responses=TemplateSerializer)
    def get(self, request, tenant, template_id):
        template = self._template(template_id)
        return Response(TemplateSerializer(template).data)

    @extend_schema(
        operation_id="templates_update",
        summary="Change a template (only the fields sent)", request=TemplateWriteSerializer,
        responses={200: TemplateSerializer, 400: None, 409: None},
    )
    def put(self, request, tenant, template_id):
        template = self._template(template_id)
        data = TemplateWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._save(lambda: services.template_update(template=template, **data.validated_data), created=False)

    @extend_schema(
        operation_id="templates_partial_update", summary="Same as PUT", request=TemplateWriteSerializer,
        responses={200: TemplateSerializer, 400: None, 409: None},
    )
    def patch(self, request, tenant, template_id):
        return self.put(request, tenant, template_id)

    @extend_schema(operation_id="templates_destroy", summary="Delete a template", responses={204: None, 409: None})
    def delete(self, request, tenant, template_id):
        template = self._template(template_id)
        try:
            services.template_delete(template=template)
        except ProtectedError:
            return api_error(
                f"Template {template.pk} is used by campaigns and cannot be deleted.", status_code=status.HTTP_409_CONFLICT
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateMakeDefaultApi(_TemplatesView):
    @extend_schema(
        operation_id="templates_make_default",
        summary="Make this template the default of its (language, category), demoting the previous one",
        request=None, responses=TemplateSerializer,
    )
    def post(self, request, tenant, template_id):
        template = self._template(template_id)
        services.template_make_default(template=template)
        template.refresh_from_db()
        return Response(TemplateSerializer(template).data)


class _RenderView(_TemplatesView):
    def required_scope(self, request):
        return self.scope_read

    def _values(self, data):
        """(contact or None, values); 404 for an unknown contact."""
        if "contact_id" in data:
            try:
                contact, values = selectors.template_contact_values(contact_id=data["contact_id"])
            except selectors.ContactNotFound as error:
                raise exceptions.NotFound(str(error)) from error
            return contact, selectors.template_preview_values(values)
        return None, selectors.template_preview_values(data["variables"])


class TemplateRenderApi(_RenderView):
    @extend_schema(
        operation_id="templates_render",
        summary="Render one template for a contact or for given variables",
        request=TemplateRenderInput,
        responses={200: RenderedSerializer, 404: None, 422: OpenApiResponse(description="a variable is missing")},
    )
    def post(self, request, tenant, template_id):
        data = TemplateRenderInput(data=request.data)
        data.is_valid(raise_exception=True)
        template = self._template(template_id)
        _, values = self._values(data.validated_data)
        try:
            message = selectors.template_render(template=template, values=values)
        except rendering.MissingVariable as error:
            return _missing_variable(error)
        return Response(_rendered(message))


class TemplateSelectRenderApi(_RenderView):
    @extend_schema(
        operation_id="templates_select_render",
        summary="Select the template for (language, category) through the fallback chain and render it",
        request=TemplateSelectRenderInput,
        responses={200: SelectedRenderedSerializer, 404: None, 422: OpenApiResponse(description="a variable is missing")},
    )
    def post(self, request, tenant):
        data = TemplateSelectRenderInput(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        contact, values = self._values(data)
        language = data.get("language") or getattr(contact, "language", None)
        category = data["category"] if "category" in data else getattr(contact, "category", None)
        try:
            choice = selectors.template_select(language=language, category=category)
            message = choice.compiled.render(values)
        except selectors.TemplateNotFound as error:
            return api_error(str(error), status_code=status.HTTP_404_NOT_FOUND)
        except rendering.MissingVariable as error:
            return _missing_variable(error)
        return Response({**_rendered(message), "template_id": choice.template.pk, "matched": choice.matched})
