"""Benchmarks for puffle-agent: call, polling and model efficiency, and the agent's own overhead.

Run `uv run python -m benchmarks`. Every figure is read from the sandbox's request log or measured
in this process; nothing is a constant copied from the docs except the bounds it is compared to.
"""
