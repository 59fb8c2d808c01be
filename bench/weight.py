"""Page weight: the compressed bytes a first visit to a question page costs, and the
htmx answer fragment.

The load client asks for no compression, so HTML and the fragment arrive raw and are
gzipped here at level 6, what the app's GZipMiddleware (and nginx) use for browsers.
CSS and JS are fetched from the server and counted as whitenoise sends them for each
Accept-Encoding (its pre-compressed .gz / .br files). Brotli figures need brotli files
from collectstatic or the ``brotli`` module; without either they are reported as None.
"""

import gzip
import re

from .client import CHOICE_RE, HTTPError, Session

try:
    import brotli
except ImportError:  # not a dependency of the project
    brotli = None

GZIP_LEVEL = 6
ASSET_RE = re.compile(
    r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<script\b[^>]*\bsrc="([^"]+)"'
)
CSS_URL_RE = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def gzip_size(data):
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def brotli_size(data):
    return len(brotli.compress(data)) if brotli else None


def fetch_asset(session, path):
    """Sizes of one static file as the server sends it for identity, gzip and br.

    gzip is what comes back for ``Accept-Encoding: gzip``, compressed or not (whitenoise
    keeps no .gz that would not save space). br is what comes back for
    ``Accept-Encoding: br`` when whitenoise has a .br file, else what brotli would make of
    it when the module is here, else None."""
    sizes, served = {}, {}
    for encoding in ("identity", "gzip", "br"):
        response = session.get(path, headers=[f"Accept-Encoding: {encoding}"])
        served[encoding] = response.header("content-encoding", "identity")
        sizes[encoding] = len(response.body)
        if encoding == "identity":
            raw = response.body
    if served["br"] != "br":
        sizes["br"] = brotli_size(raw)
        served["br"] = "computed" if brotli else "unavailable"
    return raw, {"path": path, **sizes, "served": served}


def page_weight(host, port, lesson, proxy=False):
    session = Session(host, port, proxy=proxy)
    session.get(f"/en/lessons/{lesson}/")
    started = session.post(
        f"/en/lessons/{lesson}/quiz/", {"csrfmiddlewaretoken": session.csrf_token}
    )
    question = session.location(started)
    # The raw HTML, compressed here for the table; then the page as the app itself sends
    # it to a browser that accepts gzip (GZipMiddleware), for the served figure.
    page = session.get(question, headers=["Accept-Encoding: identity"])
    if page.header("content-encoding"):
        raise HTTPError(f"HTML came {page.header('content-encoding')}-encoded to identity")
    html = page.body
    served = session.get(question, headers=["Accept-Encoding: gzip"])
    html_served_gzip = len(served.body) if served.header("content-encoding") == "gzip" else None

    paths = []
    for match in ASSET_RE.finditer(page.text):
        path = match.group(1) or match.group(2)
        if path.startswith("/") and path not in paths:
            paths.append(path)
    assets = []
    for path in paths:
        raw, sizes = fetch_asset(session, path)
        assets.append(sizes)
        if path.endswith(".css"):  # fonts and images the stylesheet pulls in
            for ref in CSS_URL_RE.findall(raw.decode("utf-8", "replace")):
                if ref.startswith("/") and ref not in paths:
                    paths.append(ref)

    choice = CHOICE_RE.search(page.text).group(1)
    fragment = session.post(
        question,
        {"csrfmiddlewaretoken": session.csrf_token, "choice": choice},
        expect=200,
        headers=["HX-Request: true", f"HX-Current-URL: {session.origin}{question}"],
    )
    if b"<html" in fragment.body or b'id="answer-area"' not in fragment.body:
        raise HTTPError("the htmx answer did not come back as a fragment")

    def total(key):
        values = [a[key] for a in assets]
        return None if None in values else sum(values)

    html_br = brotli_size(html)
    first_load = {
        "html_bytes": len(html),
        "html_gzip": gzip_size(html),
        "html_gzip_served": html_served_gzip,
        "html_br": html_br,
        "assets": assets,
        "assets_bytes": total("identity"),
        "assets_gzip": total("gzip"),
        "assets_br": total("br"),
    }
    first_load["total_bytes"] = len(html) + first_load["assets_bytes"]
    first_load["total_gzip"] = first_load["html_gzip"] + first_load["assets_gzip"]
    first_load["total_br"] = (
        None if html_br is None or first_load["assets_br"] is None else html_br + total("br")
    )
    return {
        "question_page": question,
        "brotli_module": brotli is not None,
        "gzip_level": GZIP_LEVEL,
        "first_load": first_load,
        "answer_fragment": {
            "status": fragment.status,
            "bytes": len(fragment.body),
            "gzip": gzip_size(fragment.body),
            "br": brotli_size(fragment.body),
        },
    }
