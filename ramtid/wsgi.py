import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramtid.settings")

application = get_wsgi_application()

# What a worker loads to serve (Django, the apps, the URLs and every view they import) lives as
# long as the worker. Moved out of the garbage collector's sight, it is no longer walked by each
# full collection, which a list of a hundred plans sets off every few requests: without this a
# quarter of the API's list requests took half as long again (README "Production").
import_module(settings.ROOT_URLCONF)
gc.freeze()
