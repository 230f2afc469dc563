"""Writing results: one output file a document (txt, md, json), atomically, into a local or
fsspec output folder.
"""
