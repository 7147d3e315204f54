"""The rule language and other pure domain logic: no gRPC, no SQL."""
