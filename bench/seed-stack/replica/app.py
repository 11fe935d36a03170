"""The FastAPI replica: fleet's POST /predict and /health with the same request and response shape.

Run one per port, as the tutorials do:
    SERVER_ID=server-1 MODEL_PATH=... UNICODE_TABLES=... \\
    python3 -m uvicorn replica.app:app --port 8001 --loop uvloop --http httptools --workers 1 --no-access-log
"""
import os
from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Extra, conlist, constr

from .model import SpamModel
from .text import Tokenizer

SERVER_ID = os.environ.get("SERVER_ID", "seed")
MODEL_PATH = os.environ["MODEL_PATH"]
UNICODE_TABLES = os.environ["UNICODE_TABLES"]
MAX_TEXTS_PER_REQUEST = 256

state = {}

Text = constr(strict=True, min_length=1)


class PredictBody(BaseModel):
    text: Optional[Text] = None
    texts: Optional[conlist(Text, min_items=1, max_items=MAX_TEXTS_PER_REQUEST)] = None

    class Config:
        extra = Extra.forbid


def respond(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse({"server_id": SERVER_ID, **body}, status_code=status, headers={"x-server-id": SERVER_ID})


@asynccontextmanager
async def lifespan(_app: FastAPI):
    # The model loads once, before the first request (uvicorn listens only after this).
    model = SpamModel(MODEL_PATH, Tokenizer.from_file(UNICODE_TABLES))
    model.predict(["warm-up inference before the first request"])
    version = os.environ.get("MODEL_VERSION") or "sha256:" + model.sha256[:12]
    state["model"] = model
    state["info"] = {"name": model.name, "version": version}
    yield
    state.clear()


app = FastAPI(title="seed replica")
# FastAPI 0.92 (Debian 12) has no lifespan= argument; its Starlette router takes the context.
app.router.lifespan_context = lifespan


@app.exception_handler(RequestValidationError)
async def validation_failed(_request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid body", "type": ""}
    loc = [str(p) for p in first["loc"] if p != "body"]
    if first["type"].startswith("value_error.jsondecode"):
        return respond({"code": "INVALID_JSON", "message": "body is not valid JSON"}, 400)
    field = loc[0] + "".join(f"[{p}]" for p in loc[1:]) if loc else ""
    return respond({"code": "VALIDATION_FAILED", "message": f"{field or 'body'}: {first['msg']}", "field": field}, 400)


@app.get("/health")
async def health() -> JSONResponse:
    return respond({"status": "ready", "model": state["info"]})


@app.post("/predict")
async def predict(body: PredictBody) -> JSONResponse:
    if (body.text is None) == (body.texts is None):
        return respond({"code": "VALIDATION_FAILED", "message": "give exactly one of text, texts", "field": "text"}, 400)
    texts = [body.text] if body.text is not None else body.texts
    predictions = state["model"].predict(texts)
    head = predictions[0] if body.text is not None else {}
    return respond({"model": state["info"], "predictions": predictions, **head})
