"""Per-document stages: site rules, HTML extraction, clutter filters, the block classifier,
recovery of split articles, and language. One document at a time, no state between them.
"""
