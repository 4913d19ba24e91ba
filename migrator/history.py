"""The public history API the README documents: `migrator.history.batch_history(root)`."""

from migrator.batch.history import BatchCommit, History, RollbackCommit, batch_history

__all__ = ["BatchCommit", "History", "RollbackCommit", "batch_history"]
