"""Render throughput: full messages (subject, HTML document, text part) for synthetic contacts.

Compiles every starter template once, then renders one message per contact across the 9
languages and both brands, in a single process, and prints renders per second -- once for
the render alone and once including contact_values() (what the dispatch path does per
recipient). Target: at least 20,000 renders/s on one core.

    .venv/bin/python bench/bench_render.py [--contacts 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from templates_app.rendering import LANGUAGES, compile_template, contact_values  # noqa: E402
from templates_app.starter_content import STARTER_TEMPLATES  # noqa: E402

FIRST_NAMES = ["Camille", "Emma", "Lucía", "Anna", "João", "Иван", "王芳", "प्रिया", "أحمد", "", "O'Brien <&>"]
COMPANIES = ["Atlas Relocation", "", "Smith & Sons", "Expat Help Ltd", "Müller GmbH"]


@dataclass
class SyntheticContact:
    first_name: str
    last_name: str
    company: str
    website: str
    city: str
    country: str
    email: str
    category: str
    language: str
    brand: str
    custom_fields: dict = field(default_factory=dict)


def synthetic_contacts(count: int) -> list[SyntheticContact]:
    brands = list(STARTER_TEMPLATES)
    return [
        SyntheticContact(
            first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
            last_name=f"Surname{i}",
            company=COMPANIES[i % len(COMPANIES)],
            website=f"https://site{i}.example.com",
            city="Lisbon",
            country="Portugal",
            email=f"contact{i}@example.com",
            category="",
            language=LANGUAGES[i % len(LANGUAGES)],
            brand=brands[(i // len(LANGUAGES)) % len(brands)],
            custom_fields={"plan": "gold", "visits": i},
        )
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    compiled = {
        (brand, template["language"]): compile_template(
            subject=template["subject"],
            body_html=template["body_html"],
            body_text=template["body_text"],
            language=template["language"],
        )
        for brand, templates in STARTER_TEMPLATES.items()
        for template in templates
        if template["category"] is None
    }
    compile_seconds = time.perf_counter() - started

    contacts = synthetic_contacts(args.contacts)
    pairs = [(compiled[(c.brand, c.language)], c) for c in contacts]
    prepared = [(template, contact_values(c)) for template, c in pairs]
    unsubscribe = "https://t.example.com/u/0123456789abcdef"

    started = time.perf_counter()
    size = 0
    for template, values in prepared:
        values["unsubscribeUrl"] = unsubscribe
        message = template.render(values)
        size += len(message.html) + len(message.text) + len(message.subject)
    render_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for template, contact in pairs:
        values = contact_values(contact)
        values["unsubscribeUrl"] = unsubscribe
        template.render(values)
    full_seconds = time.perf_counter() - started

    count = len(contacts)
    print(f"templates compiled: {len(compiled)} in {compile_seconds * 1000:.1f} ms")
    print(f"contacts: {count}, languages: {len(LANGUAGES)}, avg message size: {size / count:.0f} chars")
    print(f"render only:                 {count / render_seconds:,.0f} renders/s ({render_seconds:.2f} s)")
    print(f"contact_values() + render:   {count / full_seconds:,.0f} renders/s ({full_seconds:.2f} s)")
    print("target: 20,000 renders/s on one core")


if __name__ == "__main__":
    main()
