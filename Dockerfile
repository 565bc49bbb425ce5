# The field console's browser assets, from the npm registry at package-lock.json's versions.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY backend/console/copy_vendor.sh ./backend/console/copy_vendor.sh
RUN sh backend/console/copy_vendor.sh

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY backend ./backend
COPY canvass ./canvass
COPY events ./events
COPY messaging ./messaging
COPY locale ./locale
COPY --from=assets /build/backend/console/static/console/vendor ./backend/console/static/console/vendor
COPY manage.py ./
# collectstatic at build time: WhiteNoise serves var/static (docs' Swagger UI, the admin) from
# gunicorn. DEBUG=1 only lets settings load without the production secrets during the build.
RUN pip install --no-cache-dir . \
    && DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 app \
    && mkdir -p /app/var && chown app /app/var
# /app stays root-owned: the app user cannot change the code. Celery beat's schedule goes to the
# temporary directory (CELERY_BEAT_SCHEDULE_FILENAME).
USER app

EXPOSE 8000
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
