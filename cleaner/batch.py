"""The batch runner under its earlier name: `from cleaner.batch import clean_batch` keeps
working. It lives in `cleaner.run` now (orchestration in `cleaner.run.batch`, options and
report in `cleaner.run.options`)."""

from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchError, BatchOptions, BatchReport

__all__ = ["BatchError", "BatchOptions", "BatchReport", "clean_batch"]
