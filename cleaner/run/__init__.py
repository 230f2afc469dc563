"""Running a batch: orchestration, the journal and resume, the folder lock, the learning
stage's steps, worker processes and engines (local, Dask), and the `dedup` and `rules`
commands' runners. The layer on top: it drives read -> clean -> corpus -> write.
"""
