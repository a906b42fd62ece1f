"""gunicorn settings for proCure.

They come from the same place as Django's: the environment, else `.env`
beside manage.py, read by procure_site/settings.py (which also checks them,
so a bad value stops gunicorn before it binds). `.env.example` lists each.
"""

import gc
import multiprocessing
import sys
from typing import Any

from procure_site import serving, settings
from procure_site.environment import env

bind = settings.SERVER_BIND
workers = env.int(
    "WEB_CONCURRENCY", default=min(multiprocessing.cpu_count() * 2 + 1, 4)
)
threads = env.int("GUNICORN_THREADS", default=1)
# gunicorn's own workers, answering what gunicorn refuses by itself (a request
# line too long, an invalid Content-Length) in JSON like the API does; the
# threaded one when GUNICORN_THREADS asks for threads, as gunicorn would pick.
worker_class = (
    "procure_site.workers.JsonErrorThreadWorker"
    if threads > 1
    else "procure_site.workers.JsonErrorSyncWorker"
)
timeout = env.int("GUNICORN_TIMEOUT", default=30)
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak can never grow unbounded.
max_requests = env.int("GUNICORN_MAX_REQUESTS", default=5000)
max_requests_jitter = 500
accesslog = env.str("GUNICORN_ACCESS_LOG", default="-")
# The access log never carries query strings, which could hold personal data.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", default="127.0.0.1")


def when_ready(server: object) -> None:
    # gunicorn's own last line is "Listening at ..."; a newcomer also needs
    # to know where to go from there.
    url = serving.base_url(settings.SERVER_BIND)
    if url is not None:
        print(serving.next_steps(base_url=url, admin_url=settings.ADMIN_URL))
        sys.stdout.flush()


# Responses at least this large are analytics reports and exports (1 MB is
# some 8,000 idle seats in inactive-users).
LARGE_RESPONSE_BYTES = 1_000_000


def post_worker_init(worker: object) -> None:
    # The worker has imported Django, the apps and the URLconf: some 130,000
    # objects that live as long as it does. Frozen, they are left out of the
    # garbage collector's full collections, which otherwise walk all of them
    # (about 90 ms, in whichever request sets one off).
    gc.collect()
    gc.freeze()


def post_request(
    worker: object, req: object, environ: dict[str, Any], resp: Any
) -> None:
    # DRF's view and response refer to each other, as do a serializer and its
    # fields, so a report's rows are freed only by a full collection, and a
    # large report sets none off: 26,312 idle seats left 12 MB behind each
    # time, and a worker grew past 270 MB. Collected here, after the answer
    # has gone out, it costs 8 ms (1 ms for a usage trend).
    if resp is not None and resp.sent >= LARGE_RESPONSE_BYTES:
        gc.collect()
