"""Async correctness: blocking calls, coroutines, the event loop."""
