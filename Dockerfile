# Ciklas API: a multi-stage image that runs as a non-root user, migrates, then serves.
# Production needs CIKLAS_DATABASE_URL (PostgreSQL) and CIKLAS_JWT_PRIVATE_KEY(_FILE).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY api ./api
RUN pip install --no-cache-dir .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CIKLAS_ENVIRONMENT=production
RUN groupadd --system --gid 10001 ciklas \
    && useradd --system --uid 10001 --gid ciklas --home-dir /app --no-create-home ciklas \
    && mkdir -p /app/var \
    && chown ciklas:ciklas /app/var
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY alembic ./alembic
COPY api ./api
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"]
CMD ["sh", "-c", "python -m api migrate && exec python -m api serve --host 0.0.0.0 --port 8000 --workers 2"]
