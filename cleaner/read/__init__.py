"""Reading inputs: finding files, folders and JSONL records, and decoding their bytes into
raw documents (`cleaner.document.RawDocument`). The first stage; it knows nothing of cleaning.
"""
