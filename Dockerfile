# One image for web, worker and beat: the command decides the role (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic only needs a syntactically valid environment, not real secrets.
RUN SECRET_KEY=build-only DEBUG=false DATABASE_URL=postgresql://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 emailengine && mkdir -p /app/var && chown -R emailengine /app/var
USER emailengine

EXPOSE 8000
# web (default); worker: celery -A emailengine worker; beat: celery -A emailengine beat
CMD ["gunicorn", "emailengine.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
