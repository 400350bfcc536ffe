"""The URLs of the app, plus the benchmark's bare view: the root URLconf only when ``TRACE_BENCH=1``."""

from django.urls import path

from traceability.operations.bench import bare_insert
from traceability.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("__bench__/insert/", bare_insert, name="bench-insert"), *app_urlpatterns]
