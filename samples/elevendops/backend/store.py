"""Incident storage: Firestore when configured, memory otherwise."""

from __future__ import annotations

import os

from google.cloud import firestore


class IncidentStore:
    def __init__(self) -> None:
        self._memory = [{"title": "disk almost full on build-03", "severity": "minor"}]
        project = os.environ.get("FIRESTORE_PROJECT")
        self._client = firestore.Client(project=project) if project else None

    def recent(self) -> list[dict]:
        if self._client is None:
            return list(self._memory)
        return [doc.to_dict() for doc in self._client.collection("incidents").limit(20).stream()]
