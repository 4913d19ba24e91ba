"""Apply changes in gated, committed, crash-safe batches; their history, rollback and recovery."""
