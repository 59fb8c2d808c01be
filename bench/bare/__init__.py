"""The ceiling of our stack: Django behind gunicorn answering one 1 KB page.

No apps, no middleware, no database, no templates: only Django's request handling,
URL resolution and one HttpResponse, so every other target is compared with the least
work gunicorn plus Django can do per request.
"""
