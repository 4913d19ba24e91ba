"""Apply changes in gated, committed, crash-safe batches; the git access, history and rollback."""
