"""scanrules server: rule language, scan engine and (later) the gRPC service."""

__version__ = "0.1.0"
