"""Scan orchestration: plan jobs into durable work units, run them on an executor, record the results.

See docs/orchestration.md.
"""
