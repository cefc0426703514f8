"""Errors raised by the portal core's services."""


class CredentialAlreadyRevokedError(Exception):
    """The partner credential was revoked before."""


class BrokerUnavailableError(Exception):
    """The background-job broker did not answer, so the job was not enqueued. ``retry_after`` is
    how many seconds to wait before trying again; the message says so to a person."""

    def __init__(self, message: str = "", *, retry_after: int = 30):
        super().__init__(
            message
            or "Background jobs are paused: the job broker is not answering, so nothing was started. "
            "Try again in a minute."
        )
        self.retry_after = retry_after


class LastStaffMemberError(Exception):
    """The account is the last active member of staff's: deleting it would leave nobody to run
    the portal."""
