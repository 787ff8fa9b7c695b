"""The engine's version: one place, imported by the package, the manifests and the command line."""
__version__ = "0.1.0"
