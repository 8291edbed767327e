"""The API classes, one per tag of the contract."""

from .account_api import AccountApi

__all__ = ["AccountApi"]
