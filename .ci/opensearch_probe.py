"""Smoke test for a running OpenSearch node (the one .ci/opensearch.sh starts), with opensearch-py only.

    .venv/bin/python .ci/opensearch_probe.py http://127.0.0.1:9250

Creates a throwaway index with a custom "ukrainian_folding" analyzer (standard tokenizer + lowercase + icu_folding
when the ICU plugin is there, else asciifolding), indexes three Ukrainian documents, and checks the analyzer, a
`match` and a `multi_match` with `fuzziness: AUTO`. Deletes the index again. Exits non-zero if anything fails.
"""

import sys
import time

from opensearchpy import OpenSearch
from opensearchpy import __versionstr__ as client_version

DOCS = {
    "1": {
        "title": "Наказ про затвердження навчальних програм",
        "body": "Затверджено навчальні програми для закладів загальної середньої освіти на новий навчальний рік.",
    },
    "2": {
        "title": "Положення про атестацію педагогічних працівників",
        "body": "Атестація вчителів та інших педагогічних працівників проводиться один раз на п'ять років.",
    },
    "3": {
        "title": "Графік зимових канікул у школах міста",
        "body": "Зимові канікули в закладах освіти тривають з 24 грудня по 7 січня. Її план погоджено з Йосипом.",
    },
}

FAILURES: list[str] = []


def check(label: str, ok: bool, detail: object = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {label}" + (f": {detail}" if detail != "" else ""))
    if not ok:
        FAILURES.append(label)


def hit_ids(response: dict) -> list[str]:
    return [hit["_id"] for hit in response["hits"]["hits"]]


def main(url: str) -> int:
    client = OpenSearch(hosts=[url], timeout=30, max_retries=0)
    info = client.info()
    version = info["version"]["number"]
    print(f"OpenSearch {version} ({info['version'].get('distribution', '?')}), opensearch-py {client_version}")
    health = client.cluster.health()
    check("cluster health green/yellow", health["status"] in ("green", "yellow"), health["status"])

    plugins = sorted({row["component"] for row in client.cat.plugins(format="json")})
    print("plugins: " + ", ".join(plugins))
    icu = any("icu" in name.lower() for name in plugins)
    folding = "icu_folding" if icu else "asciifolding"

    index = f"ecab-probe-{int(time.time() * 1000)}"
    settings = {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "analysis": {
                "analyzer": {
                    "ukrainian_folding": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", folding],
                    }
                }
            },
        },
        "mappings": {
            "properties": {
                "title": {"type": "text", "analyzer": "ukrainian_folding"},
                "body": {"type": "text", "analyzer": "ukrainian_folding"},
            }
        },
    }
    client.indices.create(index=index, body=settings)
    try:
        analyzed = client.indices.analyze(index=index, body={"analyzer": "ukrainian_folding", "text": "Її ЙОСИП Школа"})
        tokens = [t["token"] for t in analyzed["tokens"]]
        # icu_folding strips the diacritics (ї -> і, й -> и); asciifolding leaves Cyrillic as it is.
        expected = ["іі", "иосип", "школа"] if icu else ["її", "йосип", "школа"]
        check(f"custom analyzer with {folding}", tokens == expected, tokens)

        for doc_id, doc in DOCS.items():
            client.index(index=index, id=doc_id, body=doc)
        client.indices.refresh(index=index)
        check("3 documents indexed", client.count(index=index)["count"] == 3)

        found = hit_ids(client.search(index=index, body={"query": {"match": {"body": "АТЕСТАЦІЯ"}}}))
        check("match body:АТЕСТАЦІЯ -> [2]", found == ["2"], found)

        found = hit_ids(client.search(index=index, body={"query": {"match": {"title": "канікули"}}}))
        check("match title:канікули -> [] (no stemming: 'канікул' is another token)", found == [], found)

        found = hit_ids(client.search(index=index, body={"query": {"match": {"body": "канікули"}}}))
        check("match body:канікули -> [3]", found == ["3"], found)

        query = {
            "query": {
                "multi_match": {
                    "query": "атистація педагогычних",  # two typos
                    "fields": ["title^2", "body"],
                    "fuzziness": "AUTO",
                }
            }
        }
        found = hit_ids(client.search(index=index, body=query))
        check("multi_match fuzzy 'атистація педагогычних' -> [2]", found == ["2"], found)

        query["query"]["multi_match"]["query"] = "навчальни програми"
        found = hit_ids(client.search(index=index, body=query))
        check("multi_match fuzzy 'навчальни програми' -> 1 first", found[:1] == ["1"], found)

        if icu:
            query["query"]["multi_match"]["query"] = "иосипом"  # й typed as и: equal after icu_folding
            query["query"]["multi_match"]["fuzziness"] = "0"
            found = hit_ids(client.search(index=index, body=query))
            check("multi_match 'иосипом' (folded й) -> [3]", found == ["3"], found)
    finally:
        client.indices.delete(index=index)

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed: {', '.join(FAILURES)}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} URL   (e.g. http://127.0.0.1:9250)")
    try:
        sys.exit(main(sys.argv[1]))
    except Exception as exc:
        print(f"FAIL {type(exc).__name__}: {exc}")
        sys.exit(1)
