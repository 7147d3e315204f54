"""gRPC servicers: parse the request, call the domain, convert the result, map errors."""
