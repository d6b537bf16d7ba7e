"""Template checking and rendering (pure Python, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from templates_app.rendering import (
    LANGUAGES,
    RTL_LANGUAGES,
    MissingVariable,
    TemplateSyntaxProblem,
    compile_template,
    contact_values,
    extract_links,
    sample_values,
    template_check,
)
from templates_app.starter_content import STARTER_TEMPLATES


@dataclass
class Contact:
    first_name: str | None = "Camille"
    last_name: str | None = "Martin"
    company: str | None = "Atlas Relocation"
    website: str | None = "https://atlas.example.com"
    city: str | None = "Lyon"
    country: str | None = "France"
    email: str | None = "camille@example.com"
    category: str | None = "avocat"
    custom_fields: dict | None = field(default_factory=dict)


def render(body_html="<p>Hello {firstName}</p>", *, subject="Hi {firstName}", body_text="", language="en", values=None):
    template = compile_template(subject=subject, body_html=body_html, body_text=body_text, language=language)
    return template.render(contact_values(Contact()) if values is None else values)


class _TagCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts: dict[str, int] = {}
        self.ends: dict[str, int] = {}
        self.html_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        self.starts[tag] = self.starts.get(tag, 0) + 1
        if tag == "html":
            self.html_attrs = dict(attrs)

    def handle_endtag(self, tag):
        self.ends[tag] = self.ends.get(tag, 0) + 1


def count_tags(html: str) -> _TagCounter:
    counter = _TagCounter()
    counter.feed(html)
    counter.close()
    return counter


# --- escaping -----------------------------------------------------------------------------


def test_a_script_first_name_renders_as_text_in_html_but_raw_in_subject_and_text():
    """Values are HTML-escaped in the HTML body only; subject and text keep the raw value."""
    message = render(values={"firstName": "<script>alert(1)</script>"})
    assert "<script>" not in message.html
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert message.subject == "Hi <script>alert(1)</script>"
    assert message.text == "Hello <script>alert(1)</script>"


def test_values_in_html_attributes_cannot_break_out_of_the_quotes():
    """Quotes in a value are escaped, so a website value cannot add attributes or tags."""
    message = render('<a href="{website}">site</a>', subject="s", values={"website": 'x" onmouseover="evil()'})
    assert 'href="x&quot; onmouseover=&quot;evil()"' in message.html
    assert 'onmouseover="evil()"' not in message.html


def test_template_text_is_never_evaluated_as_django_or_jinja():
    """Doubled braces are literal braces: nothing inside them is evaluated."""
    message = render("<p>{{ 7*7 }}</p>", subject="{{ 7*7 }}", values={})
    assert "<p>{ 7*7 }</p>" in message.html
    assert message.subject == "{ 7*7 }"
    assert "49" not in message.html


# --- fallbacks and missing values ---------------------------------------------------------


def test_the_inline_fallback_is_used_when_the_value_is_missing_or_blank():
    """{firstName|there} gives 'there' for a missing, None, empty or whitespace value."""
    for values in ({}, {"firstName": None}, {"firstName": ""}, {"firstName": "   "}):
        message = render("<p>Hi {firstName|there},</p>", subject="Hi {firstName|there}", values=values)
        assert message.subject == "Hi there"
        assert "<p>Hi there,</p>" in message.html
        assert message.text == "Hi there,"


def test_the_fallback_is_ignored_when_the_contact_has_a_value():
    """A present value wins over the fallback, trimmed of surrounding whitespace."""
    message = render("<p>Hi {firstName|there},</p>", values={"firstName": "  Lucía "})
    assert "<p>Hi Lucía,</p>" in message.html


def test_an_empty_fallback_explicitly_allows_an_empty_value():
    """{company|} renders nothing instead of refusing the recipient."""
    message = render("<p>Hello{company|}</p>", subject="x", values={})
    assert "<p>Hello</p>" in message.html


def test_an_empty_value_without_fallback_refuses_the_render_and_names_the_variable():
    """We never send 'Bonjour ,': the error carries the variable name."""
    template = compile_template(subject="Bonjour", body_html="<p>Bonjour {firstName},</p>", language="fr")
    with pytest.raises(MissingVariable) as caught:
        template.render(contact_values(Contact(first_name="")))
    assert caught.value.variable == "firstName"
    assert "{firstName}" in str(caught.value)


def test_a_missing_value_in_the_subject_is_refused_too():
    """The subject is checked like the body."""
    template = compile_template(subject="Offer for {company}", body_html="<p>Hello</p>", language="en")
    with pytest.raises(MissingVariable) as caught:
        template.render({"company": None})
    assert caught.value.variable == "company"


def test_unsubscribe_url_is_a_known_placeholder_filled_by_the_caller():
    """{unsubscribeUrl} passes the check; rendering without it names it."""
    body = '<p><a href="{unsubscribeUrl}">Unsubscribe</a></p>'
    assert template_check(subject="s", body_html=body, body_text="") == ["unsubscribeUrl"]
    template = compile_template(subject="s", body_html=body, language="en")
    with pytest.raises(MissingVariable, match="unsubscribeUrl"):
        template.render(contact_values(Contact()))
    message = template.render({"unsubscribeUrl": "https://t.example.com/u/abc?x=1&y=2"})
    assert 'href="https://t.example.com/u/abc?x=1&amp;y=2"' in message.html


# --- checking ----------------------------------------------------------------------------


def test_check_returns_the_placeholders_in_order_of_first_use():
    """The names feed the template's `variables` field."""
    names = template_check(
        subject="{firstName|Hi}, about {company}",
        body_html="<p>{firstName} {custom.plan} {company}</p>",
        body_text="{email}",
    )
    assert names == ["firstName", "company", "custom.plan", "email"]


def test_an_unknown_placeholder_is_refused_with_field_line_column_and_a_suggestion():
    """A typo is reported where it is, with the closest known name."""
    with pytest.raises(TemplateSyntaxProblem) as caught:
        template_check(subject="Hello", body_html="<p>Hi</p>\n<p>Dear {frstName},</p>", body_text="")
    problem = caught.value
    assert isinstance(problem, ValueError)
    assert (problem.field, problem.line, problem.column) == ("body_html", 2, 9)
    assert "unknown placeholder {frstName}" in str(problem)
    assert "did you mean {firstName}" in str(problem)
    assert str(problem).startswith("body_html, line 2, column 9:")


def test_an_unclosed_placeholder_is_refused():
    """'{firstName' without its closing brace is an unbalanced brace."""
    with pytest.raises(TemplateSyntaxProblem, match=r"subject, line 1, column 7: '\{firstName,"):
        template_check(subject="Hello {firstName, welcome", body_html="", body_text="")


def test_a_stray_closing_brace_is_refused():
    """A '}' that closes nothing is refused and the message says how to write a literal one."""
    with pytest.raises(TemplateSyntaxProblem) as caught:
        template_check(subject="ok", body_html="", body_text="Hello firstName}")
    assert caught.value.field == "body_text"
    assert caught.value.column == 16
    assert "'}}'" in str(caught.value)


def test_braces_around_text_that_is_not_a_placeholder_are_refused_outside_style():
    """'{first name}' in prose is a mistake, not CSS: it is refused rather than sent literally."""
    with pytest.raises(TemplateSyntaxProblem, match="not a valid placeholder"):
        template_check(subject="s", body_html="<p>Hi {first name}</p>", body_text="")
    with pytest.raises(TemplateSyntaxProblem, match="does not start a placeholder"):
        template_check(subject="s", body_html="<p>{% if x %}</p>", body_text="")


def test_mustache_style_double_braces_around_a_name_are_refused():
    """'{{firstName}}' would print literally to every recipient, so it is refused."""
    with pytest.raises(TemplateSyntaxProblem, match=r"write \{firstName\}"):
        template_check(subject="Hi {{ firstName }}", body_html="", body_text="")
    with pytest.raises(TemplateSyntaxProblem, match=r"did you mean \{firstName\}"):
        template_check(subject="s", body_html="<p>{{first_name}}</p>", body_text="")


def test_doubled_braces_write_literal_braces():
    """'{{' and '}}' outside <style> produce '{' and '}'; a % sign stays a % sign."""
    message = render('<p>{{"a": 1}} 100%</p>', subject="{{ ok! }} 5%", body_text="{{x-y}} %s", values={})
    assert '<p>{"a": 1} 100%</p>' in message.html
    assert message.subject == "{ ok! } 5%"
    assert message.text == "{x-y} %s"


def test_css_braces_in_a_style_block_are_accepted_and_copied_verbatim():
    """Pasted documents with CSS (including minified nested @media rules) pass and render as-is."""
    css = "body { direction: rtl; } @media(max-width:600px){.a{width:100%!important}} .x{{y}}"
    body = f"<html><head><style type='text/css'>{css}</style></head><body><p>Hi {{firstName}}</p></body></html>"
    assert template_check(subject="s", body_html=body, body_text="") == ["firstName"]
    message = render(body)
    assert css in message.html
    assert "<p>Hi Camille</p>" in message.html


# --- contact values and custom fields -----------------------------------------------------


def test_contact_values_maps_contact_attributes_to_placeholder_names():
    """first_name becomes firstName and so on; None becomes ''."""
    values = contact_values(Contact(city=None, custom_fields=None))
    assert values["firstName"] == "Camille"
    assert values["lastName"] == "Martin"
    assert values["company"] == "Atlas Relocation"
    assert values["website"] == "https://atlas.example.com"
    assert values["country"] == "France"
    assert values["email"] == "camille@example.com"
    assert values["category"] == "avocat"
    assert values["city"] == ""


def test_custom_fields_render_through_custom_key_placeholders():
    """{custom.KEY} reads the contact's custom_fields, numbers included."""
    contact = Contact(custom_fields={"plan": "Gold & Co", "visit-count": 3, "tags": ["a", "b"]})
    message = render(
        "<p>{custom.plan} / {custom.visit-count}</p>",
        subject="Plan {custom.plan}",
        values=contact_values(contact),
    )
    assert "<p>Gold &amp; Co / 3</p>" in message.html
    assert message.subject == "Plan Gold & Co"


def test_a_custom_field_holding_a_list_is_treated_as_missing_rather_than_printed():
    """Rendering a Python repr into an email is never right."""
    template = compile_template(subject="s", body_html="<p>{custom.tags}</p>", language="en")
    with pytest.raises(MissingVariable) as caught:
        template.render(contact_values(Contact(custom_fields={"tags": ["a"]})))
    assert caught.value.variable == "custom.tags"


# --- subjects ----------------------------------------------------------------------------


def test_the_subject_never_contains_a_line_break():
    """CR/LF from the template or from a value become spaces (no header injection)."""
    template = compile_template(subject="Hello\r\n{firstName}\n", body_html="<p>x</p>", language="en")
    message = template.render({"firstName": "Camille\r\nBcc: victim@example.com"})
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == "Hello Camille Bcc: victim@example.com"


# --- documents and direction --------------------------------------------------------------


def test_an_arabic_fragment_becomes_a_full_rtl_document():
    """dir/lang on <html>, UTF-8 meta and the body direction style are added."""
    message = render("<p>مرحبا {firstName}،</p>", subject="مرحبا", language="ar")
    html = message.html
    assert message.direction == "rtl" and message.language == "ar"
    assert html.startswith("<!DOCTYPE html>\n")
    assert '<html dir="rtl" lang="ar">' in html
    assert '<meta charset="UTF-8">' in html
    assert "direction: rtl; text-align: right" in html
    assert "<p>مرحبا Camille،</p>" in html
    tags = count_tags(html)
    for tag in ("html", "head", "body"):
        assert tags.starts[tag] == 1 and tags.ends[tag] == 1


def test_an_arabic_full_document_is_fixed_up_without_duplicating_html_or_body():
    """Author's dir/lang/charset are overridden; head content and body attributes survive."""
    document = (
        "<!doctype html>\n<HTML lang='en' dir=\"ltr\" xmlns=\"http://www.w3.org/1999/xhtml\">\n"
        '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "<title>Offre</title><style>p { margin: 0; }</style></head>\n"
        '<body class="main" dir="ltr"><p>مرحبا {firstName}</p></body>\n</HTML>'
    )
    html = render(document, subject="s", language="ar").html
    tags = count_tags(html)
    for tag in ("html", "head", "body"):
        assert tags.starts[tag] == 1 and tags.ends[tag] == 1
    assert tags.html_attrs["dir"] == "rtl" and tags.html_attrs["lang"] == "ar"
    assert tags.html_attrs["xmlns"] == "http://www.w3.org/1999/xhtml"
    assert "iso-8859-1" not in html
    assert html.count("charset") == 1 and '<meta charset="UTF-8">' in html
    assert "direction: rtl; text-align: right" in html
    assert "<title>Offre</title>" in html and "<style>p { margin: 0; }</style>" in html
    assert re.search(r'<body dir="rtl" class="main">', html)
    assert 'dir="ltr"' not in html
    # Our direction style comes before the author's CSS so the author can refine it.
    assert html.index("direction: rtl") < html.index("p { margin: 0; }")


def test_other_languages_get_ltr_and_their_own_lang():
    """German renders as a left-to-right document with lang='de'."""
    message = render("<p>Hallo {firstName}</p>", subject="Hallo", language="de")
    assert message.direction == "ltr" and message.language == "de"
    assert '<html dir="ltr" lang="de">' in message.html
    assert "direction: ltr" in message.html
    assert 'dir="rtl"' not in message.html


@pytest.mark.parametrize("language", sorted(RTL_LANGUAGES))
def test_every_rtl_language_renders_right_to_left(language):
    """Hebrew, Persian and Urdu are handled like Arabic."""
    message = render("<p>x</p>", subject="s", language=language, values={})
    assert message.direction == "rtl"
    assert f'<html dir="rtl" lang="{language}">' in message.html


def test_a_malformed_language_code_is_refused():
    """The language ends up in an HTML attribute, so it must be a plain language code."""
    with pytest.raises(ValueError, match="invalid language code"):
        compile_template(subject="s", body_html="<p>x</p>", language='ar" onload="x')


# --- text bodies -------------------------------------------------------------------------


def test_a_text_body_is_generated_from_the_html_when_none_is_given():
    """Links as 'text (url)', paragraphs and <br> as line breaks, tags stripped, entities decoded."""
    body = (
        "<style>p { color: red; }</style>"
        "<p>Hello   {firstName},<br>welcome &amp; thanks.</p>\n"
        '<p>Visit <a href="https://sos-expat.com/fr?a=1&amp;b=2">our <b>site</b></a> or '
        '<a href="https://ulixai.com">ulixai.com</a>.</p>'
        "<ul><li>One</li><li>Two</li></ul>"
    )
    message = render(body, values={"firstName": "A&B <x>"})
    assert message.text == (
        "Hello A&B <x>,\nwelcome & thanks.\n\n"
        "Visit our site (https://sos-expat.com/fr?a=1&b=2) or ulixai.com.\n\n"
        "- One\n- Two"
    )


def test_a_placeholder_link_whose_text_is_its_url_is_not_repeated_in_the_text_body():
    """<a href="{website}">{website}</a> gives the URL once."""
    message = render('<p><a href="{website}">{website}</a></p>', subject="s", values={"website": "https://a.example"})
    assert message.text == "https://a.example"


def test_an_explicit_text_body_is_used_as_written():
    """body_text wins over generation and is personalised without HTML escaping."""
    message = render("<p>HTML {firstName}</p>", body_text="Plain {firstName} & co", values={"firstName": "<b>"})
    assert message.text == "Plain <b> & co"


def test_extract_links_lists_each_href_once_decoded_and_without_fragments():
    """The click tracker redirects only to URLs present in the template."""
    html = (
        '<a href="https://a.example/x?a=1&amp;b=2">a</a><a href="#top">top</a>'
        '<a href=" https://b.example ">b</a><a href="https://a.example/x?a=1&amp;b=2">again</a>'
        '<a href="mailto:hi@example.com">mail</a><a>no href</a>'
    )
    assert extract_links(html) == ["https://a.example/x?a=1&b=2", "https://b.example", "mailto:hi@example.com"]


def test_a_compiled_template_is_reused_for_many_contacts():
    """One compile, many renders, each with its own values."""
    template = compile_template(subject="Hi {firstName}", body_html="<p>{firstName}</p>", language="fr")
    subjects = [template.render({"firstName": name}).subject for name in ("Ana", "Bo", "Cy")]
    assert subjects == ["Hi Ana", "Hi Bo", "Hi Cy"]


# --- starter content ---------------------------------------------------------------------


def _all_starter_templates():
    return [(brand, template) for brand, templates in STARTER_TEMPLATES.items() for template in templates]


@pytest.mark.parametrize(
    "brand,template",
    _all_starter_templates(),
    ids=[f"{b}-{t['language']}-{t['category'] or 'general'}" for b, t in _all_starter_templates()],
)
def test_every_starter_template_is_valid_and_renders(brand, template):
    """Passes the check, renders with sample values and with a contact that has no name."""
    template_check(subject=template["subject"], body_html=template["body_html"], body_text=template["body_text"])
    compiled = compile_template(
        subject=template["subject"],
        body_html=template["body_html"],
        body_text=template["body_text"],
        language=template["language"],
    )
    sample = compiled.render(sample_values(language=template["language"]))
    assert sample_values(language=template["language"])["firstName"] in sample.html
    assert sample.subject and sample.text
    bare = compiled.render({"email": "someone@example.com"})
    assert "{" not in bare.subject and "{" not in bare.text
    assert "unsubscribe" not in template["body_html"].lower()
    brand_site = "sos-expat.com" if brand == "sos-expat" else "ulixai.com"
    assert any(brand_site in link for link in compiled.links)


def test_each_brand_has_one_general_starter_template_per_language():
    """Both brands cover all 9 languages so the English fallback is never the only option."""
    for brand in ("sos-expat", "ulixai"):
        general = [t["language"] for t in STARTER_TEMPLATES[brand] if t["category"] is None]
        assert sorted(general) == sorted(LANGUAGES)


def test_sos_expat_has_lawyer_and_blogger_templates_in_french_and_english():
    """The category step of the selection chain has something to match out of the box."""
    pairs = {(t["language"], t["category"]) for t in STARTER_TEMPLATES["sos-expat"] if t["category"]}
    assert pairs == {("fr", "avocat"), ("en", "avocat"), ("fr", "blogger"), ("en", "blogger")}
