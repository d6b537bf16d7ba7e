"""CSV import: separators, encodings, header variants, tags, bad lines, the command and the API job."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from contacts.models import Contact, ImportJob
from contacts.services.csv_import import CsvImportError, contacts_import_csv, header_field

from .conftest import in_brand

pytestmark = pytest.mark.django_db


def write(tmp_path, content, encoding="utf-8", name="contacts.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return str(path)


def imported(seeded, path, **kwargs):
    with in_brand(seeded.sos):
        report = contacts_import_csv(path=path, **kwargs)
        contacts = {c.email: c for c in Contact.objects.prefetch_related("tags")}
    return report, contacts


class TestFormats:
    def test_comma_file_with_seed_headers_and_tags(self, seeded, tmp_path):
        path = write(tmp_path, "email,first_name,language,tags\n"
                               "a@example.com,Ana,fr-FR,avocat|lang-fr\n"
                               "b@example.com,Bo,en,\"blogger,lang-en\"\n")
        report, contacts = imported(seeded, path)
        assert (report.total_processed, report.new_contacts, report.error_count) == (2, 2, 0)
        assert contacts["a@example.com"].language == "fr"
        assert sorted(t.slug for t in contacts["a@example.com"].tags.all()) == ["avocat", "lang-fr"]
        assert sorted(t.slug for t in contacts["b@example.com"].tags.all()) == ["blogger", "lang-en"]
        assert contacts["a@example.com"].data_source_id == 3, "the brand's CSV source by default"

    def test_semicolons_bom_and_header_variants(self, seeded, tmp_path):
        content = "\ufeffEmail;First Name;lastName;Company;Pays;Notes\nA@Example.com;Zoé;Durand;ACME;fr;met in Lyon\n"
        report, contacts = imported(seeded, write(tmp_path, content))
        contact = contacts["a@example.com"]
        assert (contact.first_name, contact.last_name, contact.company, contact.country) == ("Zoé", "Durand", "ACME", "FR")
        assert contact.custom_fields == {"Notes": "met in Lyon"}

    def test_latin1_files_are_read(self, seeded, tmp_path):
        path = write(tmp_path, "email;prénom;ville\nz@example.com;Zoé;Besançon\n", encoding="latin-1")
        _, contacts = imported(seeded, path)
        assert (contacts["z@example.com"].first_name, contacts["z@example.com"].city) == ("Zoé", "Besançon")

    def test_bad_rows_are_reported_with_their_line_and_good_rows_stored(self, seeded, tmp_path):
        path = write(tmp_path, "email,first_name\n"
                               "good@example.com,Good\n"
                               "not-an-email,Bad\n"
                               ",Nobody\n"
                               "\"multi@example.com\",\"two\nlines\"\n"
                               "also-bad@,x\n"
                               "fine@example.com,Fine\n")
        report, contacts = imported(seeded, path)
        assert sorted(contacts) == ["fine@example.com", "good@example.com", "multi@example.com"]
        assert [(e["line"], e["email"]) for e in report.errors] == [(3, "not-an-email"), (4, None), (7, "also-bad@")]
        assert all("Invalid email" in e["error"] for e in report.errors)
        assert (report.total_processed, report.new_contacts, report.error_count) == (6, 3, 3)

    def test_extra_tags_and_source(self, seeded, tmp_path):
        path = write(tmp_path, "email\na@example.com\n")
        _, contacts = imported(seeded, path, data_source_id=1, tags=["Salon 2025"])
        assert contacts["a@example.com"].data_source_id == 1
        assert [t.slug for t in contacts["a@example.com"].tags.all()] == ["salon-2025"]

    def test_a_file_without_an_email_column_is_refused(self, seeded, tmp_path):
        with in_brand(seeded.sos), pytest.raises(CsvImportError, match="No email column"):
            contacts_import_csv(path=write(tmp_path, "name,city\nx,y\n"))

    def test_reimporting_counts_duplicates_and_updates(self, seeded, tmp_path):
        imported(seeded, write(tmp_path, "email,city\na@example.com,Paris\nb@example.com,Rome\n"))
        report, contacts = imported(seeded, write(tmp_path, "email,city\na@example.com,Paris\nb@example.com,Milan\n"))
        assert (report.new_contacts, report.updated_contacts, report.duplicates_skipped) == (0, 1, 1)

    def test_small_chunks_give_the_same_result(self, seeded, tmp_path):
        rows = "".join(f"u{i}@example.com,{i}\n" for i in range(25))
        report, contacts = imported(seeded, write(tmp_path, "email,first_name\n" + rows + "u3@example.com,again\n"),
                                    chunk_rows=7)
        assert len(contacts) == 25 and report.new_contacts == 25 and report.updated_contacts == 1

    def test_all_new_chunks_and_mixed_chunks_store_the_same_links_events_and_totals(self, seeded, tmp_path):
        """Chunks of new emails take one all-new statement; a chunk holding a known email falls back to the
        general path. Either way: tag links equal tag_ids, one `ingested` event (source and tags, in the
        file's order) per new contact, `updated` for the changed one, and the source's total counts both."""
        from contacts.models import ContactEvent, DataSource

        with in_brand(seeded.sos):
            before = DataSource.objects.get(pk=3).total_contacts_ingested
        rows = "".join(f"n{i}@example.com,N{i},\"lang-fr|avocat\"\n" for i in range(10))
        path = write(tmp_path, "email,first_name,tags\n" + rows + "n2@example.com,Changed,expat\n"
                     + "".join(f"m{i}@example.com,M{i},blogger\n" for i in range(4)))
        report, contacts = imported(seeded, path, chunk_rows=4)
        assert (report.new_contacts, report.updated_contacts, report.duplicates_skipped) == (14, 1, 0)
        with in_brand(seeded.sos):
            for contact in Contact.objects.all():
                assert contact.tag_ids == sorted(contact.contact_tags.values_list("tag_id", flat=True))
            assert contacts["n2@example.com"].first_name == "Changed"
            assert sorted(t.slug for t in contacts["n2@example.com"].tags.all()) == ["avocat", "expat", "lang-fr"]
            ingested = ContactEvent.objects.filter(event_type="ingested")
            assert ingested.count() == 14
            assert ingested.get(contact__email="n7@example.com").event_data == {
                "data_source_id": 3, "tags": ["lang-fr", "avocat"]}
            assert ContactEvent.objects.filter(event_type="updated", contact__email="n2@example.com").count() == 1
            assert DataSource.objects.get(pk=3).total_contacts_ingested == before + 15

    def test_every_email_is_stored_or_refused_exactly_as_email_validator_decides(self, seeded, tmp_path):
        """The importer's shortcut for common addresses and the full check agree with email-validator
        itself: the same stored form, or a refusal with email_normalize's reason and the line."""
        from email_validator import EmailNotValidError, validate_email

        from contacts.services.normalization import InvalidEmail, email_normalize

        raws = ["plain@example.com", " Mixed.Case@Example.COM ", "jean.dupont@Bücher.DE", "x@xn--bcher-kva.de",
                "a+tag@sub.example.org", "l" * 64 + "@example.com", "l" * 65 + "@example.com",
                "two@at@example.com", "no-domain@", "@no-local.com", "dots..in@example.com", "é@example.com",
                "space in@example.com", "a@exa mple.com", "a@localhost", "a@example.invalid", "a@-bad-.com",
                "a@" + "d" * 250 + ".com"]
        expected, reasons = {}, {}
        for line, raw in enumerate(raws, start=2):
            try:
                result = validate_email(raw.strip().lower(), check_deliverability=False)
            except EmailNotValidError:
                with pytest.raises(InvalidEmail) as refused:
                    email_normalize(raw)
                reasons[line] = f"Invalid email: {refused.value}"
            else:
                expected[line] = (result.local_part + "@" + result.ascii_domain).lower()
        assert len(expected) >= 8 and len(reasons) >= 8
        content = "email,first_name\n" + "".join(f"\"{raw}\",row{line}\n" for line, raw in enumerate(raws, start=2))
        report, contacts = imported(seeded, write(tmp_path, content))
        assert {contact.first_name: email for email, contact in contacts.items()} == {
            f"row{line}": email for line, email in expected.items()}
        assert {e["line"]: e["error"] for e in report.errors} == reasons

    def test_quoted_fields_with_separators_and_quotes_are_read_like_csv(self, seeded, tmp_path):
        path = write(tmp_path, 'email;company;city\n'
                               'q@example.com;"Dupont; Fils";"Saint ""Malo"""\n'
                               'p@example.com;Plain;Nice\n')
        _, contacts = imported(seeded, path)
        assert (contacts["q@example.com"].company, contacts["q@example.com"].city) == ("Dupont; Fils", 'Saint "Malo"')
        assert contacts["p@example.com"].company == "Plain"

    @pytest.mark.parametrize("header,field", [
        ("Email", "email"), ("E-mail", "email"), ("First Name", "first_name"), ("firstName", "first_name"),
        ("first_name", "first_name"), ("Prénom", "first_name"), ("LinkedIn", "linkedin_url"), ("Whatever", None),
    ])
    def test_header_variants(self, header, field):
        assert header_field(header) == field


class TestCommand:
    def test_import_contacts_command(self, seeded, tmp_path):
        path = write(tmp_path, "email,tags\na@example.com,expat\nbad,\n")
        out, err = io.StringIO(), io.StringIO()
        call_command("import_contacts", path, "--tenant", "sos-expat", "--tags", "vip", stdout=out, stderr=err)
        assert "2 rows: 1 new, 0 updated, 0 duplicates skipped, 1 rejected" in out.getvalue()
        assert "line 3: bad:" in err.getvalue()
        with in_brand(seeded.sos):
            assert sorted(Contact.objects.get().tags.values_list("slug", flat=True)) == ["expat", "vip"]

    def test_it_refuses_an_unknown_brand_or_source(self, seeded, tmp_path):
        path = write(tmp_path, "email\na@example.com\n")
        with pytest.raises(CommandError, match="Unknown brand"):
            call_command("import_contacts", path, "--tenant", "nope")
        with pytest.raises(CommandError, match="Unknown data source 42"):
            call_command("import_contacts", path, "--tenant", "sos-expat", "--source", "42")


class TestApiJob:
    def test_upload_runs_a_job_and_reports_counts(self, seeded, writer, tmp_path, settings, loopback_dns,
                                                  django_capture_on_commit_callbacks):
        settings.MEDIA_ROOT = str(tmp_path / "media")
        upload = io.BytesIO("email;first name;tags\na@example.com;Ana;expat|vip\nnope;x;\n".encode("latin-1"))
        upload.name = "list.csv"
        with django_capture_on_commit_callbacks(execute=True):
            response = writer.post("/api/v2/contacts/1/import", {"file": upload, "tags": "salon"}, format="multipart")
        assert response.status_code == 202, response.content
        job_id = response.json()["job_id"]
        body = writer.get(f"/api/v2/jobs/{job_id}").json()
        assert body["status"] == "done" and body["progress"] == 100 and body["tenant_id"] == 1
        assert (body["total_processed"], body["new_contacts"], body["error_count"]) == (2, 1, 1)
        assert body["errors"][0]["line"] == 3
        with in_brand(seeded.sos):
            assert sorted(Contact.objects.get().tags.values_list("slug", flat=True)) == ["expat", "salon", "vip"]
            assert not list((tmp_path / "media").rglob("*.csv")), "the upload is removed once imported"
            assert Contact.objects.get().validation_status == "invalid", "validated after the import (no MX here)"

    def test_another_brands_key_cannot_see_the_job(self, seeded, writer, tmp_path, settings, make_api_key, api_client):
        settings.MEDIA_ROOT = str(tmp_path / "media")
        upload = io.BytesIO(b"email\na@example.com\n")
        upload.name = "a.csv"
        job_id = writer.post("/api/v2/contacts/1/import", {"file": upload}, format="multipart").json()["job_id"]
        other = api_client(make_api_key(["ulixai"], ["contacts:read"]))
        assert other.get(f"/api/v2/jobs/{job_id}").status_code == 404
        connection.set_tenant(seeded.sos)
        assert ImportJob.objects.get(pk=job_id).status == "queued"
