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

from .client import CHOICE_RE, SPOT_RE, TURN_RE, HTTPError, Session
from .conversation import LESSON as CONVERSATION_LESSON

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


def first_load(session, path):
    """(the page, its first-load figures): the HTML raw and compressed here, as served
    gzipped by the app, and every asset it links as whitenoise sends it."""
    # The raw HTML, compressed here for the table; then the page as the app itself sends
    # it to a browser that accepts gzip (GZipMiddleware), for the served figure.
    page = session.get(path, headers=["Accept-Encoding: identity"])
    if page.header("content-encoding"):
        raise HTTPError(f"HTML came {page.header('content-encoding')}-encoded to identity")
    html = page.body
    served = session.get(path, headers=["Accept-Encoding: gzip"])
    html_served_gzip = len(served.body) if served.header("content-encoding") == "gzip" else None

    paths = []
    for match in ASSET_RE.finditer(page.text):
        asset = match.group(1) or match.group(2)
        if asset.startswith("/") and asset not in paths:
            paths.append(asset)
    assets = []
    for asset in paths:
        raw, sizes = fetch_asset(session, asset)
        assets.append(sizes)
        if asset.endswith(".css"):  # fonts and images the stylesheet pulls in
            for ref in CSS_URL_RE.findall(raw.decode("utf-8", "replace")):
                if ref.startswith("/") and ref not in paths:
                    paths.append(ref)

    def total(key):
        values = [a[key] for a in assets]
        return None if None in values else sum(values)

    html_br = brotli_size(html)
    figures = {
        "html_bytes": len(html),
        "html_gzip": gzip_size(html),
        "html_gzip_served": html_served_gzip,
        "html_br": html_br,
        "assets": assets,
        "assets_bytes": total("identity"),
        "assets_gzip": total("gzip"),
        "assets_br": total("br"),
    }
    figures["total_bytes"] = len(html) + figures["assets_bytes"]
    figures["total_gzip"] = figures["html_gzip"] + figures["assets_gzip"]
    figures["total_br"] = (
        None if html_br is None or figures["assets_br"] is None else html_br + total("br")
    )
    return page, figures


def start_run(session, lesson):
    """Start a run of ``lesson``; the path of its first question."""
    session.get(f"/en/lessons/{lesson}/")
    started = session.post(
        f"/en/lessons/{lesson}/quiz/", {"csrfmiddlewaretoken": session.csrf_token}
    )
    return session.location(started)


def kind_of(text):
    """The kind of question a page's answer form is for, or None."""
    if CHOICE_RE.search(text):
        return "choice"
    if SPOT_RE.search(text):
        return "spot"
    if TURN_RE.search(text):
        return "conversation"
    return None


def kind_weights(host, port, lessons, proxy=False):
    """The first load of the first question page of each kind (choice, tap the red flags,
    conversation) in runs of ``lessons``: {kind: {path, html_gzip, total_gzip, ...}}."""
    found = {}
    for lesson in lessons:
        session = Session(host, port, proxy=proxy)
        prefix = start_run(session, lesson).rstrip("/").rpartition("/")[0] + "/"
        for position in range(1, 41):
            page = session.get(f"{prefix}{position}/", expect=None)
            if page.status != 200:
                break
            kind = kind_of(page.text)
            if kind is None or kind in found:
                continue
            _page, figures = first_load(session, f"{prefix}{position}/")
            found[kind] = {
                "path": f"{prefix}{position}/",
                **{k: v for k, v in figures.items() if k != "assets"},
            }
    return found


def page_weight(host, port, lesson, proxy=False):
    session = Session(host, port, proxy=proxy)
    question = start_run(session, lesson)
    page, first = first_load(session, question)

    choice = CHOICE_RE.search(page.text).group(1)
    fragment = session.post(
        question,
        {"csrfmiddlewaretoken": session.csrf_token, "choice": choice},
        expect=200,
        headers=["HX-Request: true", f"HX-Current-URL: {session.origin}{question}"],
    )
    if b"<html" in fragment.body or b'id="answer-area"' not in fragment.body:
        raise HTTPError("the htmx answer did not come back as a fragment")

    return {
        "question_page": question,
        "brotli_module": brotli is not None,
        "gzip_level": GZIP_LEVEL,
        "first_load": first,
        # Each kind's question page, in this lesson and the conversation flow's.
        "by_kind": kind_weights(host, port, [lesson, CONVERSATION_LESSON], proxy),
        "answer_fragment": {
            "status": fragment.status,
            "bytes": len(fragment.body),
            "gzip": gzip_size(fragment.body),
            "br": brotli_size(fragment.body),
        },
    }


def main(argv=None):
    """Print each kind's first load on a running server: ``python -m bench.weight PORT``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("--lesson", action="append", help="lessons to look in (repeatable)")
    args = parser.parse_args(argv)
    lessons = args.lesson or ["qr-code-trojans", CONVERSATION_LESSON]
    print(f"{'kind':<14}{'HTML gzip':>10}{'assets gzip':>12}{'total gzip':>11}{'total br':>9}")
    for kind, w in kind_weights("127.0.0.1", args.port, lessons).items():
        print(
            f"{kind:<14}{w['html_gzip']:>10}{w['assets_gzip']:>12}{w['total_gzip']:>11}"
            f"{w['total_br'] if w['total_br'] is not None else '-':>9}  {w['path']}"
        )


if __name__ == "__main__":
    main()
