"""WSGI entry point, used by gunicorn in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traceability.settings")
application = get_wsgi_application()

# The language detector's model (about 0.6 s to load) is read at start-up, not by the first person to file.
from traceability.consultations.content_languages import warm_up  # noqa: E402

warm_up()
