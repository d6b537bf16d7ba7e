"""Loaded by pytest before Django (pytest.ini `-p tests.pytest_env`): the test run's environment defaults."""
import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
# A fixed Fernet key for tests only.
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1rZXktZm9yLXRlc3RzLW9ubHktMzJieXRlcyE=")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("DELIVERABILITY_ENFORCE_DNS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
