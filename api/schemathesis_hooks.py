"""Schemathesis hooks: sign every request to the local API (api/local-server.ts) as an AWS client does.

Loaded with SCHEMATHESIS_HOOKS=api.schemathesis_hooks (test/api/schemathesis.test.ts). The local API
checks AWS Signature Version 4 (service execute-api) and the usage plan's x-api-key, as API Gateway
does; the signature is computed here from the request as it goes on the wire (requests'
PreparedRequest), in pure Python, so the server's check is never relaxed for the run. Credentials:
SIGV4_ACCESS_KEY_ID, SIGV4_SECRET_ACCESS_KEY, SIGV4_REGION, API_KEY (defaults: the local twin's,
DEFAULT_LOCAL_CREDENTIALS and DEFAULT_LOCAL_API_KEY of api/local-server.ts).
"""

import datetime
import hashlib
import hmac
import os
from urllib.parse import parse_qsl, quote, urlsplit

import requests
import schemathesis

ACCESS_KEY_ID = os.environ.get("SIGV4_ACCESS_KEY_ID", "AKIALOCALTWINAPI0001")
SECRET_ACCESS_KEY = os.environ.get("SIGV4_SECRET_ACCESS_KEY", "local-twin-api-secret-not-an-aws-key")
REGION = os.environ.get("SIGV4_REGION", "eu-west-1")
API_KEY = os.environ.get("API_KEY", "local-twin-api-key-0000000000000001")
SERVICE = "execute-api"


def _escape(s: str) -> str:
    """RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (UTF-8)."""
    return quote(s, safe="-_.~")


def canonical_path(raw_path: str) -> str:
    """The raw (already percent-encoded) path, dot segments removed, encoded once more (not S3)."""
    segments: list[str] = []
    for seg in raw_path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
        else:
            segments.append(seg)
    path = ("/" if raw_path.startswith("/") else "") + "/".join(segments)
    if segments and raw_path.endswith("/"):
        path += "/"
    return _escape(path).replace("%2F", "/")


def canonical_query(raw_query: str) -> str:
    """The decoded parameters ('+' is a space), each name and value encoded, sorted."""
    by_key: dict[str, list[str]] = {}
    for k, v in parse_qsl(raw_query, keep_blank_values=True):
        by_key.setdefault(_escape(k), []).append(f"{_escape(k)}={_escape(v)}")
    return "&".join("&".join(sorted(by_key[k])) for k in sorted(by_key))


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def sign(request: requests.PreparedRequest, now: datetime.datetime | None = None) -> None:
    """Adds x-amz-date, Authorization (SignedHeaders host;x-amz-date) and x-api-key to `request`."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    url = urlsplit(request.url)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    for name in [h for h in request.headers if h.lower() in ("authorization", "x-amz-date", "x-api-key")]:
        del request.headers[name]  # generated values of the security schemes
    canonical = "\n".join(
        [
            request.method or "GET",
            canonical_path(url.path or "/"),
            canonical_query(url.query),
            f"host:{url.netloc}",
            f"x-amz-date:{amz_date}",
            "",
            "host;x-amz-date",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{REGION}/{SERVICE}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()]
    )
    key = b"AWS4" + SECRET_ACCESS_KEY.encode("utf-8")
    for part in (day, REGION, SERVICE, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    request.headers["Host"] = url.netloc
    request.headers["x-amz-date"] = amz_date
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/{scope}, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )
    request.headers["x-api-key"] = API_KEY


class SigV4Auth(requests.auth.AuthBase):
    """requests' auth: called with the prepared request, after the URL is final.

    Schemathesis generates the two security parameters (Authorization and x-api-key headers) as
    stand-ins for the credentials: when both are there, their random values are replaced with a real
    signature and key. When a case leaves one out, it tests a request without credentials (a negative
    case, `violates required`): it is sent as generated, unsigned, and the API must reject it.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        names = {name.lower() for name in request.headers}
        if "authorization" in names and "x-api-key" in names:
            sign(request)
        return request


schemathesis.auth.set_from_requests(SigV4Auth())
