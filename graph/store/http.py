"""HTTP for SPARQL 1.1 servers: endpoint URLs, credentials and one client.

:func:`endpoints_for` derives the query, update and Graph Store Protocol URLs from one endpoint
URL (Virtuoso, Fuseki and GraphDB conventions, or ``REPNET_SPARQL_*`` variables);
:class:`HttpClient` sends requests with Basic or Digest credentials from the URL, the environment
or (only on a terminal) a prompt, and turns server errors into :class:`RemoteHTTPError`.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from ..errors import StoreError

USER_AGENT = "repnet (SPARQL 1.1 client)"
# Requests that a server refused only because another one ran at the same time: it rolled them
# back and expects them again. push sends several parts at once, and Virtuoso 7 refuses some with
# a transaction deadlock (SQL state 40001, "SR172: Transaction deadlocked") and some with a race on
# its own dictionary tables, when two parts bring the same new language tag or datatype ("23000
# SR197: Non unique primary key on DB.DBA.RDF_LANGUAGE"); both were seen in CI runs. Such a request
# is sent again after these pauses (seconds), then its error is reported. Sending a part again is
# safe: it holds the same triples, and a graph whose parts hold blank nodes is sent again whole.
RETRY_PAUSES = (0.1, 0.3, 1.0, 3.0)
_CONCURRENT = re.compile(r"\b40001\b|deadlock|Non unique primary key on DB\.DBA\.RDF_", re.IGNORECASE)


@dataclass(frozen=True)
class Endpoints:
    """The three endpoints of one SPARQL server. ``gsp`` is None when unknown (use SPARQL Update)."""

    query: str
    update: str
    gsp: str | None
    kind: str  # "virtuoso", "fuseki", "graphdb" or "sparql" (any other SPARQL 1.1 server)


def endpoints_for(url: str, env: dict[str, str] | None = None) -> Endpoints:
    """The query, update and graph-store endpoints for a server URL (any one of them).

    Virtuoso:  /sparql, /sparql-auth (update, digest auth), /sparql-graph-crud-auth (GSP)
    Fuseki:    /DS/sparql (or /DS/query), /DS/update, /DS/data
    GraphDB:   /repositories/R, /repositories/R/statements, /repositories/R/rdf-graphs/service
    other:     the URL for queries and updates, no GSP.

    The URL given keeps its role (``/sparql-graph-crud`` stays the GSP endpoint, for a Virtuoso
    that grants anonymous writes). ``REPNET_UPDATE_URL`` and ``REPNET_GSP_URL`` override the update and
    graph-store endpoints.
    """
    env = dict(os.environ) if env is None else env
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")

    def at(p: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, p, "", ""))

    given = at(path)
    virtuoso = re.fullmatch(r"(.*?)/(sparql|sparql-auth|sparql-graph-crud|sparql-graph-crud-auth)", path)
    graphdb = re.fullmatch(r"(.*/repositories/[^/]+)(/statements|/rdf-graphs/service)?", path)
    fuseki = re.fullmatch(r"(.*/[^/]+)/(sparql|query|update|data|get)", path)
    if virtuoso and (virtuoso[1] == "" or virtuoso[2] != "sparql"):  # Virtuoso serves these at the root
        root, role = virtuoso[1], virtuoso[2]
        eps = Endpoints(query=at(root + "/sparql"),
                        update=given if role == "sparql-auth" else at(root + "/sparql-auth"),
                        gsp=given if role.startswith("sparql-graph-crud") else at(root + "/sparql-graph-crud-auth"),
                        kind="virtuoso")
    elif graphdb:
        root = graphdb[1]
        eps = Endpoints(query=at(root), update=at(root + "/statements"), gsp=at(root + "/rdf-graphs/service"), kind="graphdb")
    elif fuseki:
        root = fuseki[1]
        role = fuseki[2]
        eps = Endpoints(query=given if role in ("sparql", "query") else at(root + "/sparql"), update=at(root + "/update"),
                        gsp=at(root + "/data"), kind="fuseki")
    else:
        eps = Endpoints(query=given, update=given, gsp=None, kind="sparql")
    return Endpoints(query=eps.query, update=env.get("REPNET_UPDATE_URL") or eps.update,
                     gsp=env.get("REPNET_GSP_URL") or eps.gsp, kind=eps.kind)


class RemoteHTTPError(StoreError):
    """The server answered a request with an HTTP error."""

    def __init__(self, code: int, url: str, message: str):
        self.code = code
        self.url = url
        super().__init__(f"{url} answered HTTP {code}: {message}")


class RemoteQueryError(StoreError, RuntimeError):
    """The server could not parse or run a query (`repnet query` reports it as a failed query)."""


class ClosesAnswered401:
    """urllib's auth handlers answer a 401 by sending the request again and leave the 401 response
    they answered to the garbage collector, an unclosed socket (ResourceWarning) per challenge; this
    closes it once it has been answered, whether the retry succeeded or raised."""

    def http_error_401(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Message) -> Any:
        try:
            retry = super().http_error_401(req, fp, code, msg, headers)  # type: ignore[misc]
        except BaseException:
            fp.close()
            raise
        if retry is not None:
            fp.close()
        return retry


class _DigestAuthHandler(ClosesAnswered401, urllib.request.HTTPDigestAuthHandler):
    """Digest auth that, once the server has challenged, answers that challenge up front on later
    requests: a large body is then not sent first without credentials (Virtuoso resets the
    connection of an unauthorised PUT of a few megabytes instead of answering 401)."""

    def __init__(self, manager: urllib.request.HTTPPasswordMgr):
        super().__init__(manager)
        self.challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _, challenge = auth.split(" ", 1)
        self.challenge = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(challenge) if p])
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge and not req.has_header("Authorization"):
            auth = self.get_authorization(req, self.challenge)
            if auth:
                req.add_unredirected_header("Authorization", f"Digest {auth}")
        return req

    https_request = http_request


class _BasicAuthHandler(ClosesAnswered401, urllib.request.HTTPBasicAuthHandler):
    """Basic auth: answers a basic challenge (and leaves a digest one to the digest handler instead of
    raising); once the server has asked for basic credentials, or with ``eager``, sends them up front."""

    def __init__(self, manager: urllib.request.HTTPPasswordMgr, eager: bool = False):
        super().__init__(manager)
        self.eager = eager

    def http_error_auth_reqed(self, authreq: str, host: str, req: urllib.request.Request, headers: Message) -> Any:
        if any(v.strip().lower().startswith("basic") for v in headers.get_all(authreq) or []):
            self.eager = True
        try:
            return super().http_error_auth_reqed(authreq, host, req, headers)  # type: ignore[arg-type]  # any Message works
        except ValueError:  # "does not support the following scheme: 'Digest'"
            return None

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.eager and not req.has_header("Authorization"):
            user, password = self.passwd.find_user_password(None, req.full_url)  # type: ignore[arg-type]  # None: any realm
            if password is not None:
                token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
                req.add_unredirected_header("Authorization", f"Basic {token}")
        return req

    https_request = http_request

    def http_response(self, req: urllib.request.Request, response: Any) -> Any:
        return response


def _prompt_credentials(url: str, user: str | None) -> tuple[str, str] | None:
    """Ask on the terminal (never when stdin is not one)."""
    if not sys.stdin.isatty():
        return None
    import click

    user = user or click.prompt(f"User for {url}", err=True)
    return user, click.prompt(f"Password for {user} at {url}", hide_input=True, err=True)


class HttpClient:
    """urllib with digest and/or basic authentication, credentials asked once, errors as StoreError.

    ``auth``: "auto" answers a digest (Virtuoso) or a basic (Fuseki, GraphDB) challenge, "digest"
    only digest, "basic" sends basic credentials with every request without waiting for a challenge.
    Credentials come from the arguments, else REPNET_USER / REPNET_PASSWORD, else a prompt on the
    terminal the first time the server answers 401; never from a command-line option's value.
    """

    def __init__(self, url: str, user: str | None = None, password: str | None = None, auth: str | None = None,
                 prompt: Callable[[str, str | None], tuple[str, str] | None] | None = _prompt_credentials,
                 timeout: float = 600.0):
        parts = urllib.parse.urlsplit(url)
        self.root = f"{parts.scheme}://{parts.netloc}/"
        self.auth = (auth or os.environ.get("REPNET_AUTH") or "auto").lower()
        if self.auth not in ("auto", "digest", "basic"):
            raise StoreError(f"unknown authentication '{self.auth}': use auto, digest or basic (REPNET_AUTH)")
        self.user = user or os.environ.get("REPNET_USER") or None
        self.password = password if password is not None else (os.environ.get("REPNET_PASSWORD") if self.user else None)
        self.prompt = prompt
        self.timeout = timeout
        self.server = ""  # the Server header of the last answer ("Virtuoso/07.20.3229 ...")
        self._manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[urllib.request.BaseHandler] = []
        if self.auth in ("auto", "digest"):
            handlers.append(_DigestAuthHandler(self._manager))
        if self.auth in ("auto", "basic"):
            handlers.append(_BasicAuthHandler(self._manager, eager=self.auth == "basic"))
        self._opener = urllib.request.build_opener(*handlers)
        if self.user and self.password is not None:
            self._credentials(self.user, self.password)

    def _credentials(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self._manager.add_password(None, self.root, user, password)

    def authenticate(self, url: str) -> None:
        """A small request first, so that credentials are checked (and a digest challenge learned)
        before any large body is sent. Any answer but 401 will do."""
        try:
            self.request("GET", url, headers={"Accept": "*/*"})
        except RemoteHTTPError as e:
            if e.code == 401:
                raise

    def request(self, method: str, url: str, data: bytes | memoryview | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
        """(status, headers, body) of one request; HTTP errors raise RemoteHTTPError, network errors StoreError.
        A request refused only because another ran at the same time is sent again (:data:`RETRY_PAUSES`)."""
        asked = False
        pauses = iter(RETRY_PAUSES)
        while True:
            req = urllib.request.Request(url, data=data, method=method,
                                         headers={"User-Agent": USER_AGENT, **(headers or {})})
            try:
                with self._opener.open(req, timeout=self.timeout) as r:
                    self.server = r.headers.get("Server", "") or self.server
                    return r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                self.server = e.headers.get("Server", "") or self.server
                body = e.read().decode("utf-8", "replace").strip()
                if e.code == 401:
                    if self.password is None and not asked and self.prompt is not None:
                        got = self.prompt(self.root, self.user)
                        asked = True
                        if got:
                            self._credentials(*got)
                            continue
                    if self.password is None:
                        raise RemoteHTTPError(401, url, "the server asks for credentials.\nSet REPNET_USER and "
                                              "REPNET_PASSWORD (or give --user and answer the prompt).") from None
                    raise RemoteHTTPError(401, url, f"user '{self.user}' was not accepted (wrong password, or the "
                                          f"server wants another scheme than '{self.auth}': try --auth / REPNET_AUTH "
                                          "digest or basic).") from None
                if e.code >= 500 and _CONCURRENT.search(body) and (pause := next(pauses, None)) is not None:
                    time.sleep(pause)
                    continue
                raise RemoteHTTPError(e.code, url, _short_message(body) or str(e.reason)) from None
            except urllib.error.URLError as e:
                raise StoreError(f"cannot reach {url}: {e.reason}.\nIs the server running, and is the URL right?") from None
            except (TimeoutError, OSError) as e:
                raise StoreError(f"{url}: {e}") from None

    def post_form(self, url: str, fields: list[tuple[str, str]], accept: str) -> tuple[Message, bytes]:
        data = urllib.parse.urlencode(fields).encode()
        _, headers, body = self.request("POST", url, data, {"Accept": accept,
                                                            "Content-Type": "application/x-www-form-urlencoded"})
        return headers, body


def _short_message(body: str) -> str:
    """The useful part of an error page (Virtuoso puts the whole query after the message)."""
    text = re.sub(r"<[^>]+>", " ", body) if body.lstrip().startswith("<") else body
    text = text.split("\n\nSPARQL query:", 1)[0]
    return " ".join(text.split())[:1000]
