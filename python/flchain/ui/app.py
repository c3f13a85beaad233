"""The dashboard as an ASGI application (Starlette): HTML pages rendered with Jinja2
(autoescaped: on-chain strings are attacker-controlled), a JSON curve per task for the chart,
server-sent events for live updates, and the charting library served from the installed
``plotly`` package (no CDN).

Read-only: the app holds no key. Its two POST routes compute without sending transactions:
``verify`` recomputes a round, ``predict`` calls an inference contract's view functions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import AsyncIterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from flchain.errors import ConfigError, FlchainError
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.inference import predict_rows, read_feature_rows
from flchain.roles.verifier import verify_round
from flchain.ui import format as fmt
from flchain.ui.evaluation import ModelEvaluator
from flchain.ui.live import DEFAULT_POLL_SECONDS, BlockFeed, sse_stream
from flchain.ui.queries import dataset_rows, inference_rows, round_view, task_summaries, task_view
from flchain.ui.source import Reader

__all__ = ["MAX_UPLOAD_BYTES", "Dashboard", "create_app", "page_templates"]

#: The largest CSV the predict form accepts.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_PACKAGE = resources.files("flchain.ui")


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def page_templates() -> jinja2.Environment:
    """The pages' Jinja2 environment: every value autoescaped, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_PACKAGE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(tokens=fmt.tokens, short=fmt.short, percent=fmt.percent, bitmap=fmt.bitmap)
    return env


class Dashboard:
    """The state behind the app: the reader, the evaluator, the block feed, verifications."""

    def __init__(self, reader: Reader, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self.reader = reader
        self.evaluator = ModelEvaluator()
        self.feed = BlockFeed(reader, poll_seconds)
        self.verifications: dict[tuple[TaskId, RoundId], dict[str, Any]] = {}
        self.env = page_templates()

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A page, or only its live part when the browser asks for ``?fragment=1``."""
        fragment = request.query_params.get("fragment") == "1"
        with self.reader.lock:
            chain_id = self.reader.client.deployment.chain_id
        page = self.env.get_template(name).render(
            fragment=fragment, chain_id=chain_id, rpc_url=self.reader.rpc_url,
            path=request.url.path, **context,
        )  # fmt: skip
        return HTMLResponse(page, status_code=status)

    def error(self, request: Request, exc: FlchainError) -> Response:
        """A readable error page (404 for what does not exist, 503 otherwise)."""
        status = 404 if isinstance(exc, ConfigError) else 503
        return self.render(request, "error.html", status, message=str(exc))


def _task_id(request: Request) -> TaskId:
    """The ``task`` path parameter (the route declares it ``{task:int}``)."""
    return TaskId(int(request.path_params["task"]))


def _round_id(request: Request) -> RoundId:
    """The ``round`` path parameter (the route declares it ``{round:int}``)."""
    return RoundId(int(request.path_params["round"]))


def _routes(board: Dashboard) -> list[Route | Mount]:
    def page(build: Any) -> Any:
        def endpoint(request: Request) -> Response:
            try:
                return build(request)  # type: ignore[no-any-return]
            except FlchainError as exc:
                return board.error(request, exc)

        return endpoint

    def tasks(request: Request) -> Response:
        with board.reader.lock:
            rows = task_summaries(board.reader)
        return board.render(request, "tasks.html", tasks=rows)

    def task(request: Request) -> Response:
        task_id = _task_id(request)
        with board.reader.lock:
            view = task_view(board.reader, task_id)
        return board.render(request, "task.html", view=view)

    def round_page(request: Request) -> Response:
        task_id, round_id = _task_id(request), _round_id(request)
        with board.reader.lock:
            view = round_view(board.reader, task_id, round_id)
        verified = board.verifications.get((task_id, round_id))
        return board.render(request, "round.html", view=view, verified=verified)

    def datasets(request: Request) -> Response:
        with board.reader.lock:
            rows = dataset_rows(board.reader)
        return board.render(request, "datasets.html", datasets=rows)

    def inference(request: Request) -> Response:
        with board.reader.lock:
            rows = inference_rows(board.reader)
        return board.render(request, "inference.html", links=rows, prediction=None, problem=None)

    def curve(request: Request) -> Response:
        try:
            result = board.evaluator.curve(board.reader, _task_id(request))
        except FlchainError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse(dataclasses.asdict(result))

    def verify(request: Request) -> Response:
        task_id, round_id = _task_id(request), _round_id(request)
        try:
            with board.reader.lock:
                found = verify_round(board.reader.client, board.reader.store, task_id, round_id)
            outcome: dict[str, Any] = {
                "ok": found.ok,
                "model": found.model_matches,
                "accepted": found.accepted_matches,
                "metrics": found.chain_metrics == found.recomputed_metrics,
                "rejected": {str(k): v for k, v in found.rejected.items()},
                "message": fmt.verification_message(found),
            }
        except FlchainError as exc:
            outcome = {"ok": False, "error": True, "message": f"cannot verify: {exc}"}
        if not outcome.get("error"):
            board.verifications[(task_id, round_id)] = outcome
        return JSONResponse(outcome)

    async def predict(request: Request) -> Response:
        prediction, problem = None, None
        try:
            prediction = await _predict(board, request)
        except FlchainError as exc:
            problem = str(exc)
        with board.reader.lock:
            rows = inference_rows(board.reader)
        status = 200 if problem is None else 400
        return board.render(
            request, "inference.html", status, links=rows, prediction=prediction, problem=problem
        )

    async def events(request: Request) -> Response:
        return StreamingResponse(
            sse_stream(board.feed, request.is_disconnected),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    def plotly_js(request: Request) -> Response:
        return FileResponse(_plotly_js(), media_type="text/javascript")

    return [
        Route("/", page(tasks)),
        Route("/tasks/{task:int}", page(task)),
        Route("/tasks/{task:int}/curve", curve),
        Route("/tasks/{task:int}/rounds/{round:int}", page(round_page)),
        Route("/tasks/{task:int}/rounds/{round:int}/verify", verify, methods=["POST"]),
        Route("/datasets", page(datasets)),
        Route("/inference", page(inference)),
        Route("/inference/predict", predict, methods=["POST"]),
        Route("/events", events),
        Route("/vendor/plotly.min.js", plotly_js),
        Mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static"),
    ]


def _field(form: Any, name: str, required: bool = True) -> int | None:
    text = str(form.get(name) or "").strip()
    if not text and not required:
        return None
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"The {name} must be a whole number, got {text[:20]!r}.") from None


async def _predict(board: Dashboard, request: Request) -> Any:
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("rows")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ConfigError("Choose a CSV file of feature rows to predict.")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ConfigError(
                f"{upload.filename} is larger than {MAX_UPLOAD_BYTES // 2**20} MiB; predict fewer rows at a time."
            )
        task_id = TaskId(_field(form, "task") or 0)
        round_field = _field(form, "round", required=False)
        round_id = None if round_field is None else RoundId(round_field)
        name = Path(upload.filename).name or "rows.csv"
    registry = board.reader.inference()
    if registry is None:
        raise ConfigError("This chain has no InferenceRegistry; run `flchain deploy` to add it.")

    def run() -> Any:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (name if name.endswith((".csv", ".npy")) else name + ".csv")
            path.write_bytes(data)
            try:
                rows = read_feature_rows(path)
            except ConfigError as exc:  # name the upload, not the temporary file
                raise ConfigError(str(exc).replace(str(path), name)) from exc
        with board.reader.lock:
            return predict_rows(
                board.reader.client, registry, task_id, rows, round_id=round_id,
                source=name,
            )  # fmt: skip

    return await run_in_threadpool(run)


def create_app(
    reader: Reader,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    allowed_hosts: Sequence[str] = ("*",),
) -> Starlette:
    """The dashboard over ``reader``'s chain and store. ``allowed_hosts``: the ``Host`` headers
    it answers (a page served on loopback refuses others, so a web site cannot read it through
    DNS rebinding)."""
    board = Dashboard(reader, poll_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        board.feed.start(asyncio.get_running_loop())
        try:
            yield
        finally:
            board.feed.stop()

    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))]
    app = Starlette(routes=_routes(board), middleware=middleware, lifespan=lifespan)
    app.state.dashboard = board
    return app
