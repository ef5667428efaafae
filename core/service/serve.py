"""The prediction service: bundles answered over HTTP (``python -m core serve MODEL_DIR …``).

Other programs (a ticket system, a web shop) send raw texts and get the labels the app would
give: the same :class:`core.models.bundle.Bundle` does the work, so every bundle kind the app makes —
a network with any tokenizer (Chinese word segmentation included), TF-IDF and Automatic's
blend — is served with its own preprocessing and saved decision threshold.

Endpoints (FastAPI; the OpenAPI page is ``/docs``, its document ``/openapi.json``)::

    GET  /v1/health   → {"status": "ok"}
    GET  /v1/models   → {"models": [{"name", "labels", "created", "kind"}, …]}
    POST /v1/predict  {"texts": ["…", …], "model": "name"}   ("model" optional with one model)
                      → {"model": "…", "predictions": [{"label", "probabilities": {label: p}}, …]}

Each model is loaded once, at start. A request that finds its model idle is predicted at once;
the requests that arrive meanwhile are predicted together as one batch (:class:`Batcher`): a
network predicts 32 texts in little more than the time of one. Limits (:class:`Limits`) answer
413 (body too large) or 422 (too many texts, a text too long or empty, a missing or unknown
field); a body that is not JSON gets 400, an unknown model 404 — always as ``{"error": "…"}``.
A set API key (``STUDIO_API_KEY``) is required as ``Authorization: Bearer <key>`` on everything
but the health check (401 otherwise). Nothing a client sends produces a traceback.
"""

import asyncio
import contextlib
import datetime as _dt
import hmac
import html
import json
import logging
import os
import re
import shlex
import signal
import socket
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.base.deployment import value as deployment_value
from core.base.errors import UserError
from core.models.bundle import Bundle
from core.models.package import unpack_bundle

API_KEY_ENV = "STUDIO_API_KEY"
DRAIN_FACTOR = 4   # a body over the limit is still read (and dropped) up to 4× the limit, then 413
HEADER_SECONDS = 10      # a connection whose request headers are not complete by then is closed
BODY_SECONDS = 30        # a request body not complete by then gets 408
MAX_CONNECTIONS = 512    # open connections and requests at once; more get 503 (uvicorn's limit_concurrency)
MAX_BODY_BYTES_IN_FLIGHT = 64 * 2**20   # request bodies being read at once, all together; more get 503
MAX_PENDING_FACTOR = 8   # texts waiting for a model, as a multiple of its batch; more get 503
# Characters that show nothing: a text of only these (and spaces) is empty.
INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


@dataclass(frozen=True)
class Limits:
    """What one request may hold.

    Parameters
    ----------
    max_body_bytes : int
        Request body size; larger → 413.
    max_texts : int
        Texts per request; more → 422.
    max_text_chars : int
        Characters per text; longer → 422.
    max_batch : int
        Texts gathered into one model call at most (a request larger than that is one call).
    """

    max_body_bytes: int = 2_000_000
    max_texts: int = 1_000
    max_text_chars: int = 20_000
    max_batch: int = 512


class ServiceError(Exception):
    """A client mistake: ``status`` (4xx) and a message that says what to send instead."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ServedModel:
    """One bundle as served: its name (the folder's), when it was made, the bundle itself."""

    name: str
    path: Path
    bundle: Any   # core.models.bundle.Bundle (not imported here: the service starts without TensorFlow)
    created: str

    def describe(self) -> dict:
        """``{"name", "labels", "created", "kind"}`` for ``GET /v1/models``."""
        return {"name": self.name, "labels": list(self.bundle.labels), "created": self.created,
                "kind": self.bundle.kind}


def served_name(text: str) -> str:
    """A model name for the service from any text (a model's name in the app): letters and
    digits kept (Chinese too), the rest joined by ``-``.

    >>> served_name("SMS filter (v2)"), served_name("新闻 分类")
    ('sms-filter-v2', '新闻-分类')
    """
    return re.sub(r"[^\w.]+", "-", text.lower()).strip("-.") or "model"


def served_names(models) -> list[tuple[str, str]]:
    """``(name for the service, folder)`` of each ``(name in the app, folder)``: the app's name
    through :func:`served_name`, made unique (``-2``, ``-3`` …) where two models share one.

    >>> served_names([("SMS filter", "/m/1"), ("sms filter", "/m/2"), ("新闻", "/m/3")])
    [('sms-filter', '/m/1'), ('sms-filter-2', '/m/2'), ('新闻', '/m/3')]
    """
    pairs, taken = [], set()
    for name, folder in models:
        base = served = served_name(name)
        number = 2
        while served in taken:
            served, number = f"{base}-{number}", number + 1
        taken.add(served)
        pairs.append((served, str(folder)))
    return pairs


def model_arguments(arguments) -> list[tuple[str, Path]]:
    """``(name, folder)`` of each ``MODEL_DIR`` or ``NAME=MODEL_DIR`` argument: a model is named
    by its folder unless a name is given (the app's store keeps each bundle in a folder called
    ``bundle``)."""
    pairs = []
    for argument in map(str, arguments):
        name, sign, directory = argument.partition("=")
        if sign and re.fullmatch(r"[\w.-]+", name) and not Path(argument).exists():
            pairs.append((name, Path(directory)))
        else:
            pairs.append((Path(argument).expanduser().resolve().name, Path(argument)))
    return pairs


def load_models(model_dirs) -> dict[str, ServedModel]:
    """Load each bundle folder once (``MODEL_DIR`` or ``NAME=MODEL_DIR``, see
    :func:`model_arguments`).

    Raises
    ------
    UserError
        If a folder is not a bundle (:meth:`core.models.bundle.Bundle.load`), or two share a name
        (``err.serve_same_name``).
    """
    models: dict[str, ServedModel] = {}
    for name, directory in model_arguments(model_dirs):
        path = directory.expanduser().resolve()
        bundle = Bundle.load(path)
        if name in models:
            raise UserError("err.serve_same_name", name=name, first=str(models[name].path), second=str(path))
        stamp = max((child.stat().st_mtime for child in path.iterdir() if child.is_file()), default=path.stat().st_mtime)
        created = _dt.datetime.fromtimestamp(stamp, _dt.UTC).isoformat(timespec="seconds")
        models[name] = ServedModel(name, path, bundle, created)
    return models


class Busy(Exception):
    """Too much work is already waiting: the request is answered 503, to be sent again later."""


class Batcher:
    """Gathers the texts of concurrent requests for one model into one model call.

    A request that finds the model idle is predicted at once (no waiting); requests that come
    while the model works wait together and go to it as one batch (up to ``limits.max_batch``
    texts) when it is free again. The model runs in one worker thread per model, so the event
    loop keeps accepting requests meanwhile; each request gets its own slice back.
    """

    def __init__(self, bundle, limits: Limits):
        self.bundle = bundle
        self.limits = limits
        self.pending: list[tuple[list[str], asyncio.Future]] = []
        self.busy = False
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="predict")
        self.batches = 0

    async def predict(self, texts: list[str]) -> list[dict]:
        """The predictions for ``texts``, computed in a batch with whatever else is waiting.

        Raises
        ------
        Busy
            When more than ``MAX_PENDING_FACTOR × max_batch`` texts already wait: the queue stays
            short, so a one-text request never waits behind minutes of others' work.
        """
        waiting = sum(len(request_texts) for request_texts, _ in self.pending)
        if waiting and waiting + len(texts) > MAX_PENDING_FACTOR * self.limits.max_batch:
            raise Busy
        future = asyncio.get_running_loop().create_future()
        self.pending.append((texts, future))
        if not self.busy:
            self.busy = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    def _take(self) -> list:
        batch: list = []
        size = 0
        while self.pending and (not batch or size + len(self.pending[0][0]) <= self.limits.max_batch):
            batch.append(self.pending.pop(0))
            size += len(batch[-1][0])
        return batch

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch = self._take()
                texts = [text for request_texts, _ in batch for text in request_texts]
                try:
                    results = await asyncio.get_running_loop().run_in_executor(self.executor, self.bundle.answers, texts)
                except Exception as error:  # a bug: every waiting request answers 500, none hangs
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                self.batches += 1
                start = 0
                for request_texts, future in batch:
                    if not future.done():
                        future.set_result(results[start : start + len(request_texts)])
                    start += len(request_texts)
        finally:
            self.busy = False

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def too_large(size: int, limits: Limits) -> ServiceError:
    """The 413 for a body of ``size`` bytes."""
    return ServiceError(413, f"The request body is {size:,} bytes; at most {limits.max_body_bytes:,} are accepted. "
                             "Send the texts in several requests.")


def blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only spaces, control characters (NUL …) or invisible
    format characters (zero-width spaces, joiners, byte-order marks).

    >>> blank(" \\x00\\u200b\\ufeff "), blank("\\u200bhi")
    (True, False)
    """
    return all(unicodedata.category(char) in INVISIBLE for char in text)


def read_request(body: bytes, models: dict, limits: Limits) -> tuple[str, list[str]]:
    """``(model name, texts)`` of a ``POST /v1/predict`` body.

    Raises
    ------
    ServiceError
        413 for a body over the limit; 400 for a body that is not JSON; 422 for anything
        else the body gets wrong (each says what to send); 404 for an unknown model.
    """
    if len(body) > limits.max_body_bytes:
        raise too_large(len(body), limits)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ServiceError(400, f'The body is not JSON ({error}). Send {{"texts": ["…"]}} as UTF-8 JSON.') from None
    except RecursionError:
        raise ServiceError(400, 'The body nests too deeply to be a request. Send {"texts": ["…"]}.') from None
    if not isinstance(document, dict):
        raise ServiceError(422, 'The body must be a JSON object: {"texts": ["…", …], "model": "name"}.')
    unknown = sorted(set(document) - {"texts", "model"})
    if unknown:
        raise ServiceError(422, f"Unknown field(s): {', '.join(unknown)}. A request has \"texts\" and, optionally, \"model\".")
    texts = document.get("texts")
    if not isinstance(texts, list) or not texts:
        raise ServiceError(422, '"texts" must be a non-empty list of strings, e.g. {"texts": ["Free entry to win!"]}.')
    if len(texts) > limits.max_texts:
        raise ServiceError(422, f"{len(texts):,} texts in one request; at most {limits.max_texts:,} are accepted. "
                                "Send them in several requests.")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise ServiceError(422, f"texts[{index}] is {type(text).__name__}, not a string.")
        if blank(text):
            raise ServiceError(422, f"texts[{index}] is empty: there is nothing to classify.")
        if len(text) > limits.max_text_chars:
            raise ServiceError(422, f"texts[{index}] has {len(text):,} characters; at most {limits.max_text_chars:,} "
                                    "are accepted. Send a shorter text.")
    name = document.get("model")
    if name is None:
        if len(models) != 1:
            raise ServiceError(422, f'Several models are served; say which with "model": one of {", ".join(models)}.')
        name = next(iter(models))
    if not isinstance(name, str):
        raise ServiceError(422, '"model" must be a string: a name from GET /v1/models.')
    if name not in models:
        raise ServiceError(404, f'No model "{name}" is served here; the models are: {", ".join(models)}.')
    return name, texts


# Long on purpose: FastAPI's idiom — the endpoints are closures over the models, limits and
# batchers of this one app, declared in the order a reader meets them in the API page.
def create_app(models: dict[str, ServedModel], api_key: str | None = None, limits: Limits = Limits()):
    """The FastAPI application serving ``models`` (see :func:`load_models`).

    ``api_key``: when set, every endpoint but ``/v1/health`` wants ``Authorization: Bearer
    <api_key>``.
    """
    # lazy: the web service stack loads only when a service starts
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, Field
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import ClientDisconnect

    class PredictRequest(BaseModel):
        """Raw texts to classify, and which served model should (optional with one model)."""

        texts: list[str] = Field(min_length=1, max_length=limits.max_texts, examples=[["Free entry to win a prize!"]])
        model: str | None = Field(default=None, examples=[next(iter(models), None)])

    class Prediction(BaseModel):
        label: str
        probabilities: dict[str, float]

    class PredictResponse(BaseModel):
        model: str
        predictions: list[Prediction]

    class ModelInfo(BaseModel):
        name: str
        labels: list[str]
        created: str
        kind: str

    class ModelList(BaseModel):
        models: list[ModelInfo]

    batchers = {name: Batcher(model.bundle, limits) for name, model in models.items()}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        for batcher in batchers.values():
            batcher.close()

    # The API page and its document are this app's own routes (below): behind the key when one
    # is set, and the page loads nothing from elsewhere (FastAPI's /docs fetches Swagger UI from a CDN).
    app = FastAPI(title="Text Classifier Studio — prediction service", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None,
                  description="Classifies raw texts with models trained in Text Classifier Studio, with the "
                              "app's own preprocessing and saved thresholds.")
    app.state.batchers = batchers
    app.state.requests = 0
    app.state.body_bytes = 0   # request bodies being read now, all together

    def refuse(status: int, message: str, headers=None):
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    def refused(request: Request):
        """The answer to a request without the API key, or ``None`` when it may go on."""
        if not api_key:
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode()):
            return None
        return refuse(401, "This service needs an API key: send the header 'Authorization: Bearer <key>'.",
                      {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, error):
        return refuse(error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def failure(request, error):  # a bug: a plain 500, never a traceback to the client
        logging.getLogger("studio.serve").error("%s %s failed", request.method, request.url.path, exc_info=error)
        return refuse(500, "The service failed on this request (a bug; the server's log has the details).")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, error):
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return refuse(422, f"{where}: {first.get('msg', 'invalid request')}" if where else first.get("msg", "invalid"))

    @app.get("/v1/health", summary="Is the service up?")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document(request: Request):
        return refused(request) or JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def api_page(request: Request):
        # lazy: the web service stack loads only when a service starts
        from fastapi.responses import HTMLResponse

        return refused(request) or HTMLResponse(api_page_html(app.openapi()))

    @app.get("/v1/models", response_model=ModelList, summary="The models served here")
    async def list_models(request: Request):
        app.state.requests += 1
        return refused(request) or {"models": [model.describe() for model in models.values()]}

    @app.post("/v1/predict", response_model=PredictResponse, summary="Classify texts",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": PredictRequest.model_json_schema()}}}},
              responses={400: {"description": "The body is not JSON"}, 401: {"description": "API key missing or wrong"},
                         404: {"description": "No such model"}, 413: {"description": "Body too large"},
                         422: {"description": "Texts missing, too many, empty or too long"}})
    async def predict(request: Request):
        app.state.requests += 1
        answer = refused(request)
        if answer is not None:
            return answer
        length = request.headers.get("content-length", "")
        declared = int(length) if length.isdigit() else 0
        if app.state.body_bytes + min(declared, limits.max_body_bytes) > MAX_BODY_BYTES_IN_FLIGHT:
            return refuse(503, "The service is reading many large requests right now; send this one again in a "
                               "moment.", {"Retry-After": "1"})
        try:
            seen, body = await read_body(request, declared)
        except ClientDisconnect:   # the client went away mid-body: nothing to answer, nothing to log loudly
            logging.getLogger("studio.serve").info("a client disconnected while sending its request")
            return refuse(400, "The request ended before its body did.")
        except TimeoutError:
            return refuse(408, f"The request body did not arrive within {BODY_SECONDS} s; send it again.")
        try:
            if max(seen, declared) > limits.max_body_bytes:
                return refuse(413, too_large(max(seen, declared), limits).message)
            name, texts = read_request(bytes(body), models, limits)
            return {"model": name, "predictions": await batchers[name].predict(texts)}
        except ServiceError as error:
            return refuse(error.status, error.message)
        except Busy:
            return refuse(503, "The model has much work waiting; send this request again in a moment.",
                          {"Retry-After": "1"})
        finally:
            app.state.body_bytes -= len(body)

    async def read_body(request: Request, declared: int) -> tuple[int, bytearray]:
        """``(bytes seen, body)``: counted as it comes (a missing Content-Length cannot slip past),
        within :data:`BODY_SECONDS`; the body's bytes count in ``app.state.body_bytes`` until the
        caller releases them. A body over the limit is still read, and dropped, up to a few times
        the limit before the 413: a client still sending when the connection closes would get
        "broken pipe" instead of the message."""
        body, seen = bytearray(), 0
        if declared > DRAIN_FACTOR * limits.max_body_bytes:
            return seen, body
        try:
            async with asyncio.timeout(BODY_SECONDS):
                async for chunk in request.stream():
                    seen += len(chunk)
                    if seen <= limits.max_body_bytes:
                        body += chunk
                        app.state.body_bytes += len(chunk)
                    elif seen > DRAIN_FACTOR * limits.max_body_bytes:
                        break
        except BaseException:
            app.state.body_bytes -= len(body)
            raise
        return seen, body

    return app


def timed_protocol():
    """uvicorn's HTTP protocol (httptools) with a deadline on the request headers: a connection
    whose headers are not complete :data:`HEADER_SECONDS` after it opened (or after its previous
    answer) is closed. Without it, slow clients sending a header byte now and then held their
    connections, and the open-file limit, for as long as they liked."""
    # lazy: the web service stack loads only when a service starts
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderDeadline(HttpToolsProtocol):
        header_timer = None

        def _arm(self) -> None:
            self._disarm()
            self.header_timer = self.loop.call_later(HEADER_SECONDS, self._too_slow)

        def _disarm(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None

        def _too_slow(self) -> None:
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self.header_timer is None:
                self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderDeadline


def _raise_open_files_limit() -> None:
    """Allow as many open files as the system lets this process (the soft limit is often 1,024:
    a thousand idle clients then left no file for the next request)."""
    # lazy: POSIX-only module (absent on Windows)
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))


def api_page_html(document: dict) -> str:
    """The API page (``/docs``): each endpoint with its request and answers, from the OpenAPI
    ``document``, in plain HTML that loads nothing from elsewhere."""
    rows = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            request = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            answers = "".join(f"<li><code>{html.escape(code)}</code> {html.escape(answer.get('description', ''))}</li>"
                              for code, answer in operation.get("responses", {}).items())
            rows.append(f"<h2><code>{method.upper()} {html.escape(path)}</code></h2><p>{html.escape(operation.get('summary', ''))}"
                        "</p>" + (f"<pre>{html.escape(json.dumps(request, indent=1))}</pre>" if request else "")
                        + f"<ul>{answers}</ul>")
    title = html.escape(document.get("info", {}).get("title", "API"))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body style='font-family:"
            f"sans-serif;max-width:60em;margin:auto'><h1>{title}</h1><p>{html.escape(document.get('info', {}).get('description', ''))}"
            "</p><p>The OpenAPI document: <a href='/openapi.json'>/openapi.json</a>. Requests need "
            "<code>Authorization: Bearer &lt;key&gt;</code> when the service has an API key.</p>"
            + "".join(rows) + "</body></html>")


def check_port(host: str, port: int) -> None:
    """Refuse at once a port that cannot be listened on (in use, not allowed): it is the user's
    to fix, so say so plainly (``err.serve_port``) before the server logs its own error."""

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise UserError("err.serve_port", host=host, port=port, reason=error.strerror or str(error)) from None


def _names(models: dict) -> str:
    return ", ".join(f"{model.name} ({model.bundle.kind}, {len(model.bundle.labels)} classes)" for model in models.values())


def serve(model_dirs, host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None,
          limits: Limits = Limits(), announce=None) -> dict:
    """Load the bundles, then answer requests until interrupted (Ctrl-C / SIGTERM).

    ``api_key`` defaults to ``$STUDIO_API_KEY``; ``announce(line)`` is told where the service
    listens. Returns ``{"models", "requests", "seconds"}`` when it stops.

    Raises
    ------
    UserError
        If a folder is not a bundle, or the port cannot be listened on (``err.serve_port``).
    """
    # lazy: the web service stack loads only when a service starts
    import uvicorn

    models = load_models(model_dirs)
    api_key = api_key if api_key is not None else deployment_value(API_KEY_ENV)
    app = create_app(models, api_key, limits)
    check_port(host, port)
    started = time.perf_counter()
    if announce:
        announce(f"serving {_names(models)} at http://{host}:{port}/v1/predict (API page: http://{host}:{port}/docs)"
                 + ("; an API key is required" if api_key else ""))
    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            # uvicorn raises a caught SIGTERM/SIGINT again once it has shut down, which would end
            # this process before it prints its result: a stop is this command's normal end.
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    _raise_open_files_limit()
    Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, http=timed_protocol(),
                          timeout_keep_alive=5, limit_concurrency=MAX_CONNECTIONS, timeout_graceful_shutdown=5)).run()
    return {"models": list(models), "requests": app.state.requests, "seconds": round(time.perf_counter() - started, 1)}


def serve_ray(model_dirs, host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None,
              limits: Limits = Limits(), replicas: int = 2, announce=None) -> dict:
    """The same service as :func:`serve`, run as a Ray Serve deployment of ``replicas`` copies
    on the cluster of ``$STUDIO_RAY_ADDRESS`` (a local Ray instance when unset); answers until
    interrupted (Ctrl-C / SIGTERM), then removes the deployment. The bundles are checked and
    loaded here first, then travel to the replicas as zip bytes through Ray's object store
    (checked again there, :func:`core.models.package.unpack_bundle`): the nodes need no copy of them.
    Ray Serve's proxy listens on ``host:port`` and spreads requests over the replicas.

    Raises
    ------
    UserError
        As :func:`serve`, and when Ray is missing or unreachable (:func:`core.training.cluster.connect`).
    """
    # lazy: the Ray runner brings pandas and Ray; the plain service never loads them
    from core.training import cluster

    models = load_models(model_dirs)
    api_key = api_key if api_key is not None else deployment_value(API_KEY_ENV)
    check_port(host, port)
    ray = cluster.connect()
    # Ctrl-C / SIGTERM from now on, Ray Serve's start included, end the deployment in an orderly
    # way (left running, its replicas would keep their CPUs after this command has gone). Set
    # after connecting: set before, the process aborted (SIGABRT) on its way out.
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    from ray import serve as ray_serve

    # The folders as they are (checked by load_models above), not the loaded models saved again.
    packed = {name: (ray.put(cluster.folder_bytes(model.path)), model.created)
              for name, model in models.items()}

    def build_app():
        """Runs on each replica: the bundles from the object store, then the service's app."""
        # lazy: Ray is optional (requirements-cluster.txt) and slow to load
        import ray as replica_ray


        folder = Path(tempfile.mkdtemp(prefix="studio-serve-"))
        served = {name: ServedModel(name, folder / name, unpack_bundle(replica_ray.get(ref), folder / name), created)
                  for name, (ref, created) in packed.items()}
        return create_app(served, api_key, limits)

    started = time.perf_counter()
    ray_serve.start(http_options={"host": host, "port": port})
    deployment = ray_serve.deployment(ray_serve.ingress(build_app)(), name="studio", num_replicas=replicas)
    ray_serve.run(deployment.bind(), name="studio", route_prefix="/")  # type: ignore[attr-defined]  # Ray's typing
    if announce:
        announce(f"serving {_names(models)} with Ray Serve ({replicas} replicas on {cluster.address() or 'a local Ray instance'}) "
                 f"at http://{host}:{port}/v1/predict (API page: http://{host}:{port}/docs)"
                 + ("; an API key is required" if api_key else ""))
    while not stop.wait(0.5):
        pass
    ray_serve.shutdown()
    return {"models": list(models), "replicas": replicas, "ray": cluster.address() or "local",
            "seconds": round(time.perf_counter() - started, 1)}


def usage(models, name: str, chinese: bool = False, host: str = "127.0.0.1", port: int = 8000,
          app_dir=None, python: str | None = None) -> dict:
    """How to serve bundle folders and call the one named ``name``: ``{"command", "curl"}``
    (shell lines, quoted), as the Models page shows them. ``models``: ``(name, folder)`` pairs,
    all served by the one command on one port (or one folder, served as ``name``);
    ``app_dir`` and ``python``: where the command must run (the app's folder, its Python), so it
    can be pasted into any shell on the server.

    Examples
    --------
    >>> lines = usage("/srv/studio data/models/ab12/bundle", served_name("SMS filter"))
    >>> lines["command"]
    "python -m core serve 'sms-filter=/srv/studio data/models/ab12/bundle' --port 8000"
    >>> usage([("a", "/m/1"), ("b", "/m/2")], "b", app_dir="/opt/studio", python="/opt/venv/bin/python",
    ...       port=8001)["command"]
    'cd /opt/studio && /opt/venv/bin/python -m core serve a=/m/1 b=/m/2 --port 8001'
    >>> print(lines["curl"])
    curl -H 'Content-Type: application/json' -d '{"texts": ["Free entry: win a prize now"], "model": "sms-filter"}' \\
         http://127.0.0.1:8000/v1/predict
    """
    pairs = [(name, models)] if isinstance(models, (str, os.PathLike)) else list(models)
    text = "这家酒店的服务很好" if chinese else "Free entry: win a prize now"
    body = json.dumps({"texts": [text], "model": name}, ensure_ascii=False)
    host_part = "" if host == "127.0.0.1" else f" --host {host}"
    served = " ".join(shlex.quote(f"{label}={folder}") for label, folder in pairs)
    where = f"cd {shlex.quote(str(app_dir))} && " if app_dir else ""
    return {"command": f"{where}{shlex.quote(python) if python else 'python'} -m core serve {served}{host_part} --port {port}",
            "curl": f"curl -H 'Content-Type: application/json' -d {shlex.quote(body)} \\\n"
                    f"     http://{host}:{port}/v1/predict"}


def free_port(start: int = 8000, host: str = "127.0.0.1", tries: int = 100) -> int:
    """The first port from ``start`` that nothing on this machine listens on now (the app's own
    8501 skipped); ``start`` when none of ``tries`` is free.

    >>> 8000 <= free_port() < 8100
    True
    """
    for port in range(start, start + tries):
        if port == 8501:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    return start
