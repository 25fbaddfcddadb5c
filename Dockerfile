# PhotoSync bot image (BuildKit, the default builder since Docker 23: RUN --mount).
#   docker build -t photosync-bot .
#   docker run -p 3978:3978 -v photosync-data:/data --env-file .env photosync-bot
# Without Microsoft credentials the bot runs against its built-in demo tenant (see README).
# Stage 1 builds the project's wheel and the wheels of all its dependencies; stage 2 installs them offline
# (--no-index) on a clean slim image, so the runtime image has no build tools, sources or pip cache.

FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cards ./cards

# The project's wheel first (--no-deps), then every dependency as a wheel beside it, with the PostgreSQL
# driver (the `postgres` extra): the same image runs on SQLite or PostgreSQL.
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && for wheel in /wheels/photosync_bot-*.whl; do pip wheel --wheel-dir /wheels "${wheel}[postgres]"; done


FROM python:3.11-slim AS runtime

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3978 \
    PHOTOSYNC_HOST=0.0.0.0 \
    PHOTOSYNC_DATABASE_URL=sqlite+aiosqlite:////data/photosync.db

# An unprivileged user (numeric, so `runAsNonRoot` can verify it); /data (SQLite) is the only place it writes.
RUN groupadd --system --gid 10001 photosync \
    && useradd --system --no-log-init --uid 10001 --gid photosync --home-dir /app \
        --shell /usr/sbin/nologin photosync \
    && mkdir -p /app /data \
    && chown photosync:photosync /data

# DL3013 reads "${wheel}[postgres]" as an unpinned package: it is the wheel built above, its version in its name.
# hadolint ignore=DL3013
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    for wheel in /wheels/photosync_bot-*.whl; do pip install --no-index --find-links=/wheels "${wheel}[postgres]"; done

WORKDIR /app
VOLUME ["/data"]
USER 10001:10001
EXPOSE 3978

# No curl in slim images: the standard library asks GET /healthz on the port the bot listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; r = u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4); sys.exit(0 if r.status == 200 else 1)"]

CMD ["python", "-m", "bot"]
