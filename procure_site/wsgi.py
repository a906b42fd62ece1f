"""WSGI entry point, served by gunicorn (see gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procure_site.settings")

application = get_wsgi_application()

# Imported once Django is set up; refuses settings that must not serve.
from procure_site.checks import refuse_unsafe_settings  # noqa: E402

refuse_unsafe_settings()
