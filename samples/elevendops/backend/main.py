"""The ElevenDops API: health, incidents and a summary endpoint."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from langchain.messages import HumanMessage, SystemMessage

from backend.store import IncidentStore

app = FastAPI(title="ElevenDops")
store = IncidentStore()
SYSTEM = SystemMessage("You summarise incidents for the on-call engineer.")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/incidents")
def incidents() -> list[dict]:
    return store.recent()


@app.get("/summary")
def summary() -> dict[str, str]:
    titles = ", ".join(i["title"] for i in store.recent())
    messages = [SYSTEM, HumanMessage(f"Summarise these incidents: {titles}")]
    return {"prompt": "\n".join(str(m.content) for m in messages)}


@app.get("/upstream")
def upstream(url: str = "https://status.example.com") -> dict[str, int]:
    with httpx.Client(timeout=2.0) as client:
        try:
            return {"status": client.get(url).status_code}
        except httpx.HTTPError:
            return {"status": 0}
