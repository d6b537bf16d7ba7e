"""Template rendering: checking, compiling and personalising email templates.

Pure Python (standard library only): no database, no Django settings, and template text is
never executed as code. Django/Jinja tags in a template are plain text here.

Placeholders
------------
A placeholder is ``{name}`` or ``{name|fallback}``:

* ``name`` is one of ``firstName lastName company website city country email category
  unsubscribeUrl`` or ``custom.KEY`` where KEY is a key of the contact's ``custom_fields``
  (letters, digits, ``_`` and ``-``). Names are case-sensitive; no spaces inside the braces.
* ``fallback`` is used when the value is missing or blank, e.g. ``{firstName|there}``. It runs up
  to the closing ``}`` and cannot contain braces or line breaks. ``{company|}`` (an empty
  fallback) explicitly allows the value to be empty. In the HTML body the fallback is part of the
  author's HTML (written as-is); in the subject and text body it is plain text.
* A placeholder that is blank for a contact and has no fallback makes the render fail with
  ``MissingVariable`` naming it: we never send "Bonjour ,".

Braces
------
* ``{{`` writes a literal ``{`` and ``}}`` a literal ``}``, in the subject, the text body and
  the HTML body outside ``<style>``/``<script>``.
* The content of ``<style>`` and ``<script>`` elements in the HTML body is copied verbatim: braces
  there are CSS (or JSON-LD) and are neither placeholders nor escapes, so a pasted document with
  ``body { direction: rtl; }`` or minified ``@media(...){.a{color:red}}`` works unchanged.
* Anywhere else, every ``{`` must open a valid placeholder (or be doubled) and every ``}`` must
  close one (or be doubled). Anything else -- ``{first name}``, ``{firstName``, a stray ``}`` --
  is refused by ``template_check`` with the field, line, column and what was found, so a typo
  never reaches a recipient as literal braces.
* ``{{firstName}}`` / ``{{ first_name }}`` (Mustache/Jinja habit: doubled braces around a bare
  name) is refused, because it would print the literal text ``{firstName}`` to every
  recipient. Other doubled-brace text (``{{ 7*7 }}``) is literal. In the HTML body a literal
  ``{name}`` can still be written with entities: ``&#123;name&#125;``.

Escaping of values
------------------
Values are HTML-escaped (quotes included) in the HTML body and left as text in the subject and
the text body. Subjects never contain line breaks: CR/LF (and other line separators) in the
template or in values become spaces.

Documents and direction
-----------------------
At compile time the HTML body -- a fragment or a full document -- becomes exactly one document:
``<!DOCTYPE html>``, ``<html dir=".." lang="..">`` (author's ``dir``/``lang`` replaced, other
attributes kept), a ``<head>`` with ``<meta charset="UTF-8">`` (any other charset declaration
removed), a viewport meta if missing, a ``body { direction: ..; text-align: ..; }`` style placed
before the author's own head content (so author CSS can refine it), and a ``<body dir="..">``
whose content is wrapped in ``<div dir="..">`` (web mail clients strip attributes of
``<html>``/``<body>``; the wrapper keeps the direction there). Languages in ``RTL_LANGUAGES`` are
right-to-left, all others left-to-right.

When the text body is empty it is generated from the HTML at compile time: links become
``text (url)``, paragraphs and ``<br>`` become line breaks, list items ``- item``, tags are
stripped, entities unescaped and whitespace collapsed.
"""

from __future__ import annotations

import difflib
import re
from html import escape as _html_escape
from html import unescape as _html_unescape
from html.parser import HTMLParser
from typing import Any, Mapping, NamedTuple

LANGUAGES = ("fr", "en", "es", "de", "pt", "ru", "zh", "hi", "ar")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})

CONTACT_PLACEHOLDERS = (
    "firstName",
    "lastName",
    "company",
    "website",
    "city",
    "country",
    "email",
    "category",
)
PLACEHOLDERS = CONTACT_PLACEHOLDERS + ("unsubscribeUrl",)
CUSTOM_PREFIX = "custom."

_CONTACT_ATTRIBUTES = (
    ("firstName", "first_name"),
    ("lastName", "last_name"),
    ("company", "company"),
    ("website", "website"),
    ("city", "city"),
    ("country", "country"),
    ("email", "email"),
    ("category", "category"),
)

_KNOWN = frozenset(PLACEHOLDERS)
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)?"
_NAME_RE = re.compile(_NAME)
_CUSTOM_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
_PLACEHOLDER_RE = re.compile(r"\{(" + _NAME + r")(?:\|([^{}\r\n]*))?\}")
_DOUBLED_RE = re.compile(r"\{\{[ \t]*(" + _NAME + r")[ \t]*(?:\|[^{}\r\n]*)?\}\}")
_BRACE_RE = re.compile(r"\{\{|\}\}|[{}]")
_RAW_ELEMENT_RE = re.compile(r"<(style|script)(?=[\s/>])[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
_LINEBREAK_RE = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


class TemplateSyntaxProblem(ValueError):
    """A template field contains an unknown placeholder or a brace that is not allowed."""

    def __init__(self, *, field: str, position: int, line: int, column: int, problem: str):
        self.field = field
        self.position = position
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(f"{field}, line {line}, column {column}: {problem}")


class MissingVariable(ValueError):
    """A placeholder without fallback has no value for this recipient."""

    def __init__(self, variable: str):
        self.variable = variable
        super().__init__(
            f"no value for {{{variable}}} and the template gives no fallback "
            f"(write {{{variable}|...}} to give one)"
        )


class RenderedMessage(NamedTuple):
    subject: str
    html: str
    text: str
    language: str
    direction: str


class Placeholder(NamedTuple):
    name: str
    fallback: str | None


# --------------------------------------------------------------------------------------------
# Checking and parsing
# --------------------------------------------------------------------------------------------


def _is_known(name: str) -> bool:
    if name in _KNOWN:
        return True
    return name.startswith(CUSTOM_PREFIX) and bool(_CUSTOM_KEY_RE.match(name[len(CUSTOM_PREFIX) :]))


def _problem(field: str, text: str, position: int, problem: str) -> TemplateSyntaxProblem:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return TemplateSyntaxProblem(field=field, position=position, line=line, column=column, problem=problem)


def _snippet(text: str, start: int) -> str:
    end = len(text)
    for stop in ("}", "\n"):
        found = text.find(stop, start + 1)
        if found != -1:
            end = min(end, found + (1 if stop == "}" else 0))
    return text[start : min(end, start + 40)]


def _closest_placeholder(name: str) -> str | None:
    folded = name.replace("_", "").lower()
    for placeholder in PLACEHOLDERS:
        if placeholder.lower() == folded:
            return placeholder
    close = difflib.get_close_matches(name, PLACEHOLDERS, n=1, cutoff=0.6)
    return close[0] if close else None


def _known_list() -> str:
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    return f"known placeholders are {known} and {{custom.KEY}}"


def _unknown_problem(name: str) -> str:
    message = f"unknown placeholder {{{name}}}"
    closest = _closest_placeholder(name)
    if closest:
        message += f" (did you mean {{{closest}}}?)"
    return f"{message}; {_known_list()}"


def _open_problem(text: str, position: int, end: int) -> str:
    snippet = _snippet(text, position)
    name = _NAME_RE.match(text, position + 1, end)
    if name:
        after = name.end()
        following = text[after] if after < end else ""
        if following == "|":
            reason = "its fallback is not closed by '}' (a fallback cannot contain braces or line breaks)"
        elif following in ("", "\n", "\r"):
            reason = "it is not closed by '}'"
        else:
            reason = f"{following!r} follows the name where '}}' or '|' was expected"
        return (
            f"'{snippet}' is not a valid placeholder: {reason}; placeholders look like "
            f"{{firstName}} or {{firstName|fallback}}; write '{{{{' for a literal '{{'"
        )
    return (
        f"'{{' does not start a placeholder (found '{snippet}'); placeholders look like "
        f"{{firstName}} or {{firstName|fallback}}; write '{{{{' and '}}}}' for literal braces"
    )


def _segments(text: str, html: bool):
    """Yield (start, end, raw) spans; raw spans (<style>/<script>) are copied verbatim."""
    if not html:
        yield 0, len(text), False
        return
    pos = 0
    for match in _RAW_ELEMENT_RE.finditer(text):
        if match.start() > pos:
            yield pos, match.start(), False
        yield match.start(), match.end(), True
        pos = match.end()
    if pos < len(text):
        yield pos, len(text), False


def _parse(field: str, text: str, *, html: bool) -> list[str | Placeholder]:
    """Split a field into literal strings and placeholders, or raise TemplateSyntaxProblem."""
    parts: list[str | Placeholder] = []
    buffer: list[str] = []
    for start, end, raw in _segments(text, html):
        if raw:
            buffer.append(text[start:end])
            continue
        pos = start
        while True:
            match = _BRACE_RE.search(text, pos, end)
            if match is None:
                buffer.append(text[pos:end])
                break
            index = match.start()
            buffer.append(text[pos:index])
            token = match.group()
            if token == "{{":
                doubled = _DOUBLED_RE.match(text, index, end)
                if doubled:
                    name = doubled.group(1)
                    if _is_known(name):
                        hint = f"write {{{name}}} for the placeholder"
                    elif _closest_placeholder(name):
                        hint = f"did you mean {{{_closest_placeholder(name)}}}?"
                    else:
                        hint = _known_list()
                    raise _problem(
                        field,
                        text,
                        index,
                        f"'{doubled.group()}' looks like a Mustache/Jinja variable but would print "
                        f"the literal text '{doubled.group()[1:-1]}'; placeholders use single "
                        f"braces: {hint}",
                    )
                buffer.append("{")
                pos = index + 2
            elif token == "}}":
                buffer.append("}")
                pos = index + 2
            elif token == "{":
                placeholder = _PLACEHOLDER_RE.match(text, index, end)
                if placeholder is None:
                    raise _problem(field, text, index, _open_problem(text, index, end))
                name = placeholder.group(1)
                if not _is_known(name):
                    raise _problem(field, text, index, _unknown_problem(name))
                if buffer:
                    parts.append("".join(buffer))
                    buffer = []
                parts.append(Placeholder(name, placeholder.group(2)))
                pos = placeholder.end()
            else:
                raise _problem(
                    field,
                    text,
                    index,
                    "'}' closes no placeholder; write '}}' for a literal '}'",
                )
    if buffer:
        parts.append("".join(buffer))
    return [part for part in parts if part != ""]


def template_check(*, subject: str, body_html: str, body_text: str = "") -> list[str]:
    """Validate the three fields; return placeholder names in order of first use.

    Raises TemplateSyntaxProblem (a ValueError) naming the field, line, column and problem.
    """
    names: list[str] = []
    for field, text, html in (
        ("subject", subject or "", False),
        ("body_html", body_html or "", True),
        ("body_text", body_text or "", False),
    ):
        for part in _parse(field, text, html=html):
            if isinstance(part, Placeholder) and part.name not in names:
                names.append(part.name)
    return names


# --------------------------------------------------------------------------------------------
# Languages, documents and text bodies
# --------------------------------------------------------------------------------------------


def language_direction(language: str) -> str:
    """'rtl' for right-to-left languages (by primary subtag), otherwise 'ltr'."""
    return "rtl" if language.split("-", 1)[0].lower() in RTL_LANGUAGES else "ltr"


def _normalise_language(language: str) -> str:
    if not isinstance(language, str) or not _LANGUAGE_RE.match(language):
        raise ValueError(f"invalid language code {language!r}; expected a code such as 'fr' or 'pt-BR'")
    primary, _, rest = language.partition("-")
    return primary.lower() + ("-" + rest if rest else "")


_DOCTYPE_RE = re.compile(r"<!doctype[^>]*>", re.I)
_HTML_OPEN_RE = re.compile(r"<html(?=[\s>/])([^>]*)>", re.I)
_HTML_CLOSE_RE = re.compile(r"</html\s*>", re.I)
_HEAD_OPEN_RE = re.compile(r"<head(?=[\s>/])[^>]*>", re.I)
_HEAD_CLOSE_RE = re.compile(r"</head\s*>", re.I)
_BODY_OPEN_RE = re.compile(r"<body(?=[\s>/])([^>]*)>", re.I)
_BODY_CLOSE_RE = re.compile(r"</body\s*>", re.I)
_CHARSET_META_RE = re.compile(
    r"<meta\b[^>]*?(?:charset\s*=|http-equiv\s*=\s*[\"']?content-type)[^>]*>\s*", re.I
)
_VIEWPORT_RE = re.compile(r"<meta\b[^>]*\bname\s*=\s*[\"']?viewport", re.I)
_ATTR_RE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")


def _attributes_without(attributes: str, drop: set[str]) -> str:
    kept = []
    for match in _ATTR_RE.finditer(attributes.rstrip("/")):
        if match.group(1).lower() in drop:
            continue
        kept.append(" " + match.group(0))
    return "".join(kept)


def _html_document(body_html: str, *, language: str, direction: str) -> str:
    """Turn a fragment or a full document into one document with direction and charset."""
    source = _DOCTYPE_RE.sub("", body_html)
    html_attributes = ""
    match = _HTML_OPEN_RE.search(source)
    if match:
        html_attributes = match.group(1)
        source = source[: match.start()] + source[match.end() :]
    source = _HTML_CLOSE_RE.sub("", source)

    head = ""
    match = _HEAD_OPEN_RE.search(source)
    if match:
        close = _HEAD_CLOSE_RE.search(source, match.end())
        if close:
            head = source[match.end() : close.start()]
            source = source[: match.start()] + source[close.end() :]
        else:
            source = source[: match.start()] + source[match.end() :]

    body_attributes = ""
    match = _BODY_OPEN_RE.search(source)
    if match:
        body_attributes = match.group(1)
        before, rest = source[: match.start()], source[match.end() :]
        close = _BODY_CLOSE_RE.search(rest)
        inner, after = (rest[: close.start()], rest[close.end() :]) if close else (rest, "")
        content = "\n".join(piece for piece in (before.strip(), inner.strip(), after.strip()) if piece)
    else:
        content = _BODY_CLOSE_RE.sub("", source).strip()

    head = _CHARSET_META_RE.sub("", head).strip()
    align = "right" if direction == "rtl" else "left"
    lines = [
        "<!DOCTYPE html>",
        f'<html dir="{direction}" lang="{language}"'
        f"{_attributes_without(html_attributes, {'dir', 'lang', 'xml:lang'})}>",
        "<head>",
        '<meta charset="UTF-8">',
    ]
    if not _VIEWPORT_RE.search(head):
        lines.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    lines.append(f"<style>body {{ direction: {direction}; text-align: {align}; }}</style>")
    if head:
        lines.append(head)
    lines += [
        "</head>",
        f'<body dir="{direction}"{_attributes_without(body_attributes, {"dir"})}>',
        f'<div dir="{direction}">',
    ]
    if content:
        lines.append(content)
    lines += ["</div>", "</body>", "</html>", ""]
    return "\n".join(lines)


_WHITESPACE_RE = re.compile(r"\s+")
_SPACES_RE = re.compile(r"[ \t]{2,}")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:(//)?(www\.)?", re.I)


def _comparable_url(url: str) -> str:
    return _SCHEME_RE.sub("", url.strip().lower()).rstrip("/")


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"head", "style", "script", "title", "template"})
    _PARAGRAPH = frozenset(
        {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "table", "hr", "pre", "dl"}
    )
    _LINE = frozenset(
        {"div", "tr", "section", "article", "header", "footer", "center", "dt", "dd", "address",
         "figure", "figcaption", "main", "nav", "aside", "form"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self._PARAGRAPH:
            self.out.append("\n\n")
        elif tag in self._LINE:
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.links.append((href, len(self.out)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in self._PARAGRAPH:
            self.out.append("\n\n")
        elif tag in self._LINE:
            self.out.append("\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = _WHITESPACE_RE.sub(" ", "".join(self.out[start:])).strip()
            if not href or href.startswith("#"):
                return
            shown = href[7:].split("?", 1)[0] if href.lower().startswith("mailto:") else href
            if not label:
                self.out.append(shown)
            elif _comparable_url(label) not in (_comparable_url(shown), _comparable_url(href)):
                self.out.append(f" ({shown})")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(_WHITESPACE_RE.sub(" ", data))

    def text(self) -> str:
        joined = "".join(self.out)
        lines = [_SPACES_RE.sub(" ", line).strip() for line in joined.split("\n")]
        return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Plain-text version of an HTML body (links as 'text (url)', tags stripped)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "area"):
            href = (dict(attrs).get("href") or "").strip()
            if href and not href.startswith("#") and href not in self.links:
                self.links.append(href)


def extract_links(html: str) -> list[str]:
    """href URLs of <a>/<area> elements, entity-decoded, in order, without duplicates.

    Fragment-only links ('#top') are left out. Given template source, placeholders appear as
    written (e.g. '{website}'); given a rendered message, the personalised URLs appear.
    """
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.links


_SENTINEL_OPEN, _SENTINEL_CLOSE = "\ue000", "\ue001"
_SENTINEL_RE = re.compile(_SENTINEL_OPEN + r"(\d+)" + _SENTINEL_CLOSE)


def _text_parts_from_html(parts: list[str | Placeholder]) -> list[str | Placeholder]:
    """Generate text-body parts from HTML parts; placeholders survive as sentinels."""
    placeholders: list[Placeholder] = []
    pieces = []
    for part in parts:
        if isinstance(part, Placeholder):
            # One sentinel per distinct placeholder, so <a href="{website}">{website}</a>
            # is recognised as a link whose text is its URL.
            if part not in placeholders:
                placeholders.append(part)
            pieces.append(f"{_SENTINEL_OPEN}{placeholders.index(part)}{_SENTINEL_CLOSE}")
        else:
            pieces.append(part.replace(_SENTINEL_OPEN, "").replace(_SENTINEL_CLOSE, ""))
    text = html_to_text("".join(pieces))
    result: list[str | Placeholder] = []
    pos = 0
    for match in _SENTINEL_RE.finditer(text):
        if match.start() > pos:
            result.append(text[pos : match.start()])
        original = placeholders[int(match.group(1))]
        fallback = None if original.fallback is None else _html_unescape(original.fallback)
        result.append(Placeholder(original.name, fallback))
        pos = match.end()
    if pos < len(text):
        result.append(text[pos:])
    return result


# --------------------------------------------------------------------------------------------
# Compiled templates
# --------------------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    return _LINEBREAK_RE.sub(" ", value).strip() if _LINEBREAK_RE.search(value) else value


def _format(parts: list[str | Placeholder], *, transform=None) -> tuple[str, tuple[Placeholder, ...]]:
    """A %-format string and its slots; literals pass through `transform` first."""
    pieces, slots = [], []
    for part in parts:
        if isinstance(part, Placeholder):
            pieces.append("%s")
            slots.append(part)
        else:
            pieces.append((transform(part) if transform else part).replace("%", "%%"))
    return "".join(pieces), tuple(slots)


class CompiledTemplate:
    """A checked template ready to render many times; build it with compile_template()."""

    __slots__ = (
        "language",
        "direction",
        "placeholders",
        "html_document",
        "links",
        "_subject_format",
        "_subject_slots",
        "_html_format",
        "_html_slots",
        "_text_format",
        "_text_slots",
    )

    def __init__(self, *, subject: str, body_html: str, body_text: str, language: str):
        self.placeholders = tuple(
            template_check(subject=subject, body_html=body_html, body_text=body_text)
        )
        self.language = _normalise_language(language)
        self.direction = language_direction(self.language)

        subject_parts = _parse("subject", subject or "", html=False)
        self._subject_format, self._subject_slots = _format(
            subject_parts, transform=lambda s: _LINEBREAK_RE.sub(" ", s)
        )
        if subject_parts and isinstance(subject_parts[0], str):
            self._subject_format = self._subject_format.lstrip()
        if subject_parts and isinstance(subject_parts[-1], str):
            self._subject_format = self._subject_format.rstrip()

        self.html_document = _html_document(
            body_html or "", language=self.language, direction=self.direction
        )
        self.links = tuple(extract_links(self.html_document))
        self._html_format, self._html_slots = _format(
            _parse("body_html", self.html_document, html=True)
        )

        if body_text and body_text.strip():
            text_parts = _parse("body_text", body_text.strip(), html=False)
        else:
            text_parts = _text_parts_from_html(_parse("body_html", body_html or "", html=True))
        self._text_format, self._text_slots = _format(text_parts)

    def render(self, values: Mapping[str, Any]) -> RenderedMessage:
        """Personalise subject, HTML document and text body with `values`.

        Raises MissingVariable for the first placeholder that is blank and has no fallback.
        """
        get = values.get

        filled = []
        for name, fallback in self._subject_slots:
            value = get(name)
            if value is not None:
                value = (value if type(value) is str else str(value)).strip()
            if value:
                filled.append(_one_line(value))
            elif fallback is not None:
                filled.append(fallback)
            else:
                raise MissingVariable(name)
        subject = self._subject_format % tuple(filled)

        filled = []
        for name, fallback in self._html_slots:
            value = get(name)
            if value is not None:
                value = (value if type(value) is str else str(value)).strip()
            if value:
                filled.append(_html_escape(value))
            elif fallback is not None:
                filled.append(fallback)
            else:
                raise MissingVariable(name)
        html = self._html_format % tuple(filled)

        filled = []
        for name, fallback in self._text_slots:
            value = get(name)
            if value is not None:
                value = (value if type(value) is str else str(value)).strip()
            if value:
                filled.append(value)
            elif fallback is not None:
                filled.append(fallback)
            else:
                raise MissingVariable(name)
        text = self._text_format % tuple(filled)

        return RenderedMessage(subject, html, text, self.language, self.direction)


def compile_template(
    *, subject: str, body_html: str, body_text: str = "", language: str
) -> CompiledTemplate:
    """Check and compile a template once; call .render(values) for each recipient.

    Raises TemplateSyntaxProblem for bad placeholders/braces, ValueError for a bad language code.
    """
    return CompiledTemplate(
        subject=subject, body_html=body_html, body_text=body_text, language=language
    )


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def contact_values(contact: Any) -> dict[str, str]:
    """Placeholder values for a contact-like object (attributes first_name, ..., custom_fields).

    Missing attributes and None become ''. custom_fields scalars become 'custom.KEY' entries;
    nested lists/dicts are left out (rendering them would print Python reprs).
    """
    values: dict[str, str] = {}
    for placeholder, attribute in _CONTACT_ATTRIBUTES:
        value = getattr(contact, attribute, None)
        values[placeholder] = "" if value is None else str(value).strip()
    custom = getattr(contact, "custom_fields", None) or {}
    if isinstance(custom, Mapping):
        for key, value in custom.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                values[CUSTOM_PREFIX + str(key)] = str(value).strip()
            elif isinstance(value, bool):
                values[CUSTOM_PREFIX + str(key)] = "yes" if value else "no"
    return values


_SAMPLE_NAMES = {
    "fr": ("Camille", "Martin", "Lyon", "France"),
    "en": ("Emma", "Johnson", "London", "United Kingdom"),
    "es": ("Lucía", "García", "Madrid", "España"),
    "de": ("Anna", "Schmidt", "Berlin", "Deutschland"),
    "pt": ("Ana", "Souza", "Lisboa", "Portugal"),
    "ru": ("Анна", "Иванова", "Москва", "Россия"),
    "zh": ("王芳", "王", "上海", "中国"),
    "hi": ("प्रिया", "शर्मा", "मुंबई", "भारत"),
    "ar": ("أحمد", "الحسن", "دبي", "الإمارات العربية المتحدة"),
}


def sample_values(*, language: str = "en") -> dict[str, str]:
    """Plausible values for previews, with names and places in the given language."""
    first, last, city, country = _SAMPLE_NAMES.get(language.split("-", 1)[0].lower(), _SAMPLE_NAMES["en"])
    return {
        "firstName": first,
        "lastName": last,
        "company": "Atlas Relocation",
        "website": "https://www.example.com",
        "city": city,
        "country": country,
        "email": "contact@example.com",
        "category": "general",
        "unsubscribeUrl": "https://example.com/unsubscribe/preview",
    }
