"""Application services: the use cases behind the RPCs, over the engine and persistence.

No gRPC here; servicers convert messages to these calls and their errors to statuses.
"""
