"""The URLs of the app, plus the benchmark's floor views: the root URLconf only when ``TRACE_BENCH=1``."""

from django.urls import path

from traceability.operations.bench import bare_insert, signed_in_insert
from traceability.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("__bench__/insert/", bare_insert, name="bench-insert"),
    path("__bench__/insert-signed-in/", signed_in_insert, name="bench-insert-signed-in"),
    *app_urlpatterns,
]
