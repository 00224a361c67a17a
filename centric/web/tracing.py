"""Optional OpenTelemetry tracing: on when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set and the extra is installed.

``pip install 'centric[otel]'`` brings the SDK, the OTLP/HTTP exporter and the FastAPI and
SQLAlchemy instrumentations. Nothing is imported, and nothing happens, when the endpoint is
not configured. The exporter reads the standard ``OTEL_*`` variables itself (endpoint,
headers, ``OTEL_SERVICE_NAME``); spans go out in batches from a background thread.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

from centric.config import Settings
from centric.db import Database

log = logging.getLogger("centric.web.tracing")


def install(app: FastAPI, settings: Settings, processor: Any = None) -> bool:
    """Trace ``app``'s requests and its database statements; False when tracing is off.

    ``processor``: a span processor to use instead of the OTLP exporter (tests pass one
    holding an in-memory exporter).
    """
    if not settings.otel_endpoint and processor is None:
        return False
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but the 'otel' extra is not installed: tracing stays off")
        return False
    if processor is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter())
    provider = TracerProvider(resource=Resource.create({"service.name": "centric"}))
    provider.add_span_processor(processor)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/metrics,/api/health,/static/.*")
    _trace_statements(app.state.db, provider)
    app.state.tracer_provider = provider
    return True


def _trace_statements(db: Database, provider: Any) -> None:
    try:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError:  # the SQLAlchemy instrumentation is optional within the extra
        return
    engines = [db.engine] + ([db.replica] if db.replica is not None else [])
    # Its declared range stops below SQLAlchemy 2.1; the engine events it hooks are unchanged
    # there (tests/api/test_tracing.py checks the spans), so the version check is skipped.
    SQLAlchemyInstrumentor().instrument(engines=engines, tracer_provider=provider, skip_dep_check=True)


def shutdown(app: FastAPI) -> None:
    """Send the spans still buffered and stop tracing ``app``'s statements (tests; production ends at exit)."""
    provider = getattr(app.state, "tracer_provider", None)
    if provider is None:
        return
    try:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().uninstrument()  # one per process: the next app instruments its own engines
    except ImportError:
        pass
    provider.shutdown()
    app.state.tracer_provider = None
