# syntax=docker/dockerfile:1

# Tarash Gateway image.
#   docker build -t tarash-gateway .
#   docker run -p 4000:4000 -e TARASH_MASTER_KEY=… \
#       -v "$PWD/config.yaml:/etc/tarash/config.yaml:ro" tarash-gateway

# ---- build: install the package and its dependencies into a virtualenv ----
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src
# Only what the build needs: the metadata (README.md is the package's readme) and the
# three packages. Tests, docs and scripts stay out of the image.
COPY pyproject.toml README.md ./
COPY adapters ./adapters
COPY router ./router
COPY proxy ./proxy
COPY tarash_gateway ./tarash_gateway
RUN pip install --no-cache-dir .

# ---- runtime: the virtualenv on a clean slim base, as a non-root user ----
FROM python:3.11-slim

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN groupadd --system --gid 10001 tarash \
    && useradd --system --uid 10001 --gid tarash --home-dir /var/lib/tarash \
       --no-create-home --shell /usr/sbin/nologin tarash \
    && mkdir -p /etc/tarash /var/lib/tarash/media \
    && chown -R tarash:tarash /var/lib/tarash

COPY --from=build /opt/venv /opt/venv

# A relative media_dir or sqlite path in the config resolves under here.
WORKDIR /var/lib/tarash
# Numeric, so runtimes (e.g. Kubernetes runAsNonRoot) can verify it is not root.
USER 10001:10001

EXPOSE 4000

# slim has no curl: probe the liveness endpoint with the standard library.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:4000/health/liveness', timeout=4).status == 200 else 1)"]

# Exec form: the gateway is PID 1 and receives SIGTERM itself (it drains, then exits).
CMD ["tarash-gateway", "serve", "--config", "/etc/tarash/config.yaml", "--host", "0.0.0.0", "--port", "4000"]
