"""The seed's FastAPI service, as its report describes it: every request looks up the Redis
semantic cache (a SimHash of the question's words is the key: similar questions share it), and a
miss queries PostgreSQL through SQLAlchemy's QueuePool (pool_size / max_overflow from the
environment the exported compose sets; via pgBouncer when DATABASE_URL points there), then writes
the result back with SETEX and the plan's TTL.

What a request costs comes from the plan's workload and is sent by the load generator with each
request, so the exported compose file stays as it is:
  cache=1|0   use the semantic cache (the plan's features.semanticCache)
  db_ms       time the transaction holds its connection (workload.dbTimePerRequestMs): the lookup,
              then pg_sleep for the rest, inside one transaction
  app_ms      time the request spends in the app (workload.requestTimeMs): what is left after the
              cache and the database is awaited, as the seed's app awaits its model call
  ttl, size   the cache entry's TTL (workload.cacheTtlSeconds) and size (workload.cacheEntrySize)
"""
import asyncio
import hashlib
import json
import os
import time
from urllib.parse import quote

import redis.asyncio as aioredis
from fastapi import FastAPI, Query, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from sqlalchemy import create_engine, text

# The names prometheus-fastapi-instrumentator uses (the exported HighAPILatency rule reads the
# highr histogram).
REQUESTS = Counter("http_requests_total", "Requests", ["handler", "status", "cache"])
LATENCY = Histogram(
    "http_request_duration_highr_seconds",
    "Latency of every request",
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30),
)


def _password() -> str:
    path = os.environ.get("DATABASE_PASSWORD_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get("DATABASE_PASSWORD", "")


def _database_url() -> str:
    url = os.environ["DATABASE_URL"]  # postgresql://app@postgres:5432/app
    pw = _password()
    if pw and "@" in url and ":" not in url.split("://", 1)[1].split("@", 1)[0]:
        scheme, rest = url.split("://", 1)
        user, host = rest.split("@", 1)
        url = f"{scheme}://{user}:{quote(pw, safe='')}@{host}"
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


engine = create_engine(
    _database_url(),
    pool_size=int(os.environ.get("DB_POOL_SIZE", "5")),
    max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "10")),
    pool_pre_ping=False,
    # pgBouncer in transaction mode: no session state is relied on (plain statements only).
)
cache = aioredis.from_url(os.environ.get("REDIS_URL", "redis://redis:6379/0"))
app = FastAPI(title="headroom stack-test app")

DIM = 64


def semantic_key(question: str) -> str:
    """SimHash of the question's words: near-identical questions map to the same key."""
    acc = [0] * DIM
    for word in question.lower().split():
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        for i in range(DIM):
            acc[i] += 1 if (h >> i) & 1 else -1
    bits = sum(1 << i for i in range(DIM) if acc[i] > 0)
    return f"sc:{bits:016x}"


def db_lookup(key: str, db_ms: float) -> list:
    """One transaction: the documents of the question's bucket, then holding the connection for
    the rest of db_ms (the plan's time a request holds a database connection)."""
    t0 = time.monotonic()
    bucket = int(key[3:], 16) % 1000
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT id, title, score FROM documents WHERE bucket = :b ORDER BY score DESC LIMIT 5"),
            {"b": bucket},
        ).fetchall()
        rest = db_ms / 1000 - (time.monotonic() - t0)
        if rest > 0:
            conn.execute(text("SELECT pg_sleep(:s)"), {"s": rest})
    return [{"id": r[0], "title": r[1], "score": float(r[2])} for r in rows]


@app.get("/query")
async def query(
    q: str = Query(..., max_length=2000),
    cache_on: int = Query(1, alias="cache"),
    db_ms: float = Query(20, ge=0, le=10000),
    app_ms: float = Query(100, ge=0, le=60000),
    ttl: int = Query(600, ge=1, le=86400),
    size: int = Query(4096, ge=64, le=1 << 20),
):
    t0 = time.monotonic()
    key = semantic_key(q)
    status = "200"
    hit = False
    try:
        body = await cache.get(key) if cache_on else None
        if body is not None:
            hit = True
        else:
            rows = await run_in_threadpool(db_lookup, key, db_ms)
            doc = {"key": key, "rows": rows, "answer": ""}
            # The cached result is the size the plan says an entry is.
            doc["answer"] = "x" * max(0, size - len(json.dumps(doc)))
            body = json.dumps(doc).encode()
            if cache_on:
                await cache.setex(key, ttl, body)
        rest = app_ms / 1000 - (time.monotonic() - t0)
        if rest > 0:
            await asyncio.sleep(rest)
        return Response(content=body, media_type="application/json", headers={"x-cache": "hit" if hit else "miss"})
    except Exception:
        status = "500"
        raise
    finally:
        REQUESTS.labels("/query", status, "hit" if hit else "miss").inc()
        LATENCY.observe(time.monotonic() - t0)


@app.get("/health")
async def health():
    await cache.ping()
    await run_in_threadpool(lambda: engine.connect().close())
    return {"status": "ok"}


@app.get("/metrics")
def metrics():
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
