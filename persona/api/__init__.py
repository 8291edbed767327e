# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""The API classes, one per tag of the contract (each sync and async)."""

from .account_api import AccountApi, AsyncAccountApi

__all__ = [
    "AccountApi",
    "AsyncAccountApi",
]
