# Ramtid's production image: web (gunicorn), worker and beat (Celery) all run from it.
# docker-compose.yml builds it and gives every setting as an environment variable.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=ramtid.settings

# What WeasyPrint draws PDFs with: Pango, HarfBuzz's subsetter and a font with Swedish letters.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system ramtid \
    && useradd --system --gid ramtid --home-dir /app --no-create-home --shell /usr/sbin/nologin ramtid

WORKDIR /app

# The dependencies at the versions in the production lock (no dev or test extras), each checked
# against its hash. The project itself is not installed: it has no packages to install
# (tool.setuptools.packages is empty), the code runs from /app.
COPY requirements/production.txt requirements/production.txt
RUN pip install --require-hashes -r requirements/production.txt

COPY . .

# Static files are collected into the image; the settings need a key and a PostgreSQL URL to
# load, but collectstatic connects to nothing, so dummy values do.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input -v0 \
    && mkdir -p /var/lib/ramtid/beat \
    && chown ramtid:ramtid /var/lib/ramtid/beat

USER ramtid

EXPOSE 8000

# docker-compose.yml gives web its own command (migrations first, then gunicorn with the settings
# of .env). Run alone, the image serves with the same kind of workers; their number is
# WEB_CONCURRENCY (gunicorn's own variable, 1 when unset). No control socket: see
# docker-compose.yml.
CMD ["gunicorn", "ramtid.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", \
     "--timeout", "30", "--graceful-timeout", "20", "--max-requests", "1000", \
     "--max-requests-jitter", "100", "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
