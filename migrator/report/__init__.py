"""Present results: status, HTML report, burndown, SARIF, check and baseline, ruff config, shims."""
