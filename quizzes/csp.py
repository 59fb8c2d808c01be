"""The Content-Security-Policy header, built once.

Django's middleware builds the header from ``SECURE_CSP`` on every response: sorting,
joining and formatting every directive again, a few per cent of what a question page costs
(bench/README.md, "instructions"). The policy only changes with the settings, and the
nonce is the one part that differs per response, so the header is built once per setting
with a mark where the nonce goes. A view's own policy (``csp_override``) is built as
Django builds it.
"""

from django.conf import settings
from django.middleware import csp
from django.utils.csp import CSP, build_policy

# Never in a policy: a nonce is URL-safe base64.
NONCE_MARK = "\x00nonce\x00"

# {id(config): (config, header without a nonce, header parts around the nonce)}; the
# config is kept, so its id cannot be taken by another object while it is here.
_built = {}


def policy(config, nonce):
    """The header ``build_policy(config, nonce)`` would give, for ``config`` that is one of
    the settings' policies; built again when a setting is replaced (tests). A policy is
    never changed in place: a view that needs another one sets its own (csp_override)."""
    built = _built.get(id(config))
    if built is None or built[0] is not config:
        with_mark = build_policy(config, NONCE_MARK).split(NONCE_MARK)
        built = _built[id(config)] = (config, build_policy(config), with_mark)
    return str(nonce).join(built[2]) if nonce else built[1]


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, with the settings' policies built once (``policy``)."""

    def process_response(self, request, response):
        nonce = csp.get_nonce(request)
        for header, name, attribute in [
            (CSP.HEADER_ENFORCE, "SECURE_CSP", "_csp_config"),
            (CSP.HEADER_REPORT_ONLY, "SECURE_CSP_REPORT_ONLY", "_csp_ro_config"),
        ]:
            if header in response:  # a view set its own header
                continue
            default = getattr(settings, name)
            config = getattr(response, attribute, default)
            if not config:
                continue
            if config is default:
                response.headers[str(header)] = policy(config, nonce)
            else:
                response.headers[str(header)] = build_policy(config, nonce)
        return response
