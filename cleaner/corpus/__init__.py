"""Corpus-level stages: what only a whole batch shows. Boilerplate learned from what repeats
across a site's pages, and near copies (MinHash signatures, LSH, verification).
"""
