"""The project's ASGI application, with static files served, for end-to-end tests.

The room page's script must load in the browser tests; production serves static
files through WhiteNoise's manifest, which the test settings do not build.
"""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from assosolos.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
