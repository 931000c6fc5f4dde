"""calcgen: generate FFI operation dispatch (C, Dart, Python) from .proto services."""

__version__ = "0.1.0"
