"""The ceiling of our stack: bare Django behind gunicorn.

``/bare/`` answers one 1 KB page: no apps, no middleware, no database, no templates,
only Django's request handling, URL resolution and one HttpResponse, so every page is
compared with the least work gunicorn plus Django can do per request.

``/bare/answer/<n>/`` is the answer flow's ceiling: a form with a CSRF token, a POST
that redirects, the page again with the feedback, its state in a signed-cookie session.
"""
