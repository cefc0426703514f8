"""Errors raised by the portal core's services."""


class CredentialAlreadyRevokedError(Exception):
    """The partner credential was revoked before."""
