"""The digest on a real Celery worker against the real broker and a real (test) mail server: a worker
killed in the middle of a run, while the mail server has not yet accepted a message, still leaves
every person exactly one email, however often the jobs are delivered again."""

import signal
import socketserver
import threading
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from funding import alerts, digests, tasks
from funding.models import AlertDigest
from tests.funding.factories import OpportunityFactory
from tests.portal.factories import UserFactory
from tests.test_celery_worker import start_worker  # noqa: F401 - a fixture
from tests.waiting import wait_for


class MailServer(socketserver.ThreadingTCPServer):
    """An SMTP server on 127.0.0.1 that records the recipients of each message it accepts. With
    ``hold_after`` set, it holds its answer to the message after that many accepted ones until
    ``release`` is set, then refuses it (451): a message whose sender died before the answer was
    never accepted, as with a real server."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.accepted: list[str] = []
        self.hold_after: int | None = None
        self.holding, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        server: MailServer = self.server
        recipients: list[str] = []
        self.reply("220 test mail server")
        while line := self.rfile.readline():
            command = line.strip().decode(errors="replace")
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-test\r\n250 8BITMIME")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split("<", 1)[1].split(">", 1)[0])
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                with server.lock:
                    hold = server.hold_after is not None and len(server.accepted) == server.hold_after
                    if not hold:
                        server.accepted.extend(recipients)
                if hold:
                    server.holding.set()
                    server.release.wait(timeout=120)
                    self.reply("451 not accepted")
                    return
                self.reply("250 accepted")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # HELO, RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def mail_server():
    server = MailServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def unlocked(digest: AlertDigest) -> bool:
    """No worker holds the digest's row: it could be sent now."""
    with transaction.atomic():
        return AlertDigest.objects.select_for_update(skip_locked=True).filter(pk=digest.pk).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_send_still_leaves_exactly_one_email_per_person(start_worker, mail_server):  # noqa: F811
    people = [UserFactory(email=f"digest-{n}@example.org") for n in range(3)]
    for person in people:
        alerts.alert_create(user=person, data={"sector": "fintech"})
    OpportunityFactory(title="Fintech grant", sectors=["fintech"])
    queue = f"test-{uuid.uuid4().hex[:8]}"
    environment = {"TEST_EMAIL_PORT": str(mail_server.port), "TEST_CELERY_QUEUE": queue}
    first = start_worker(queue=queue, **environment)

    # The worker runs the digest: one job per person, in turn. The mail server accepts the first
    # email and holds its answer to the second: the worker is killed in the middle of that send.
    mail_server.hold_after = 1
    tasks.alert_digests_send.apply_async(queue=queue)
    wait_for(mail_server.holding.is_set)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=20)
    mail_server.hold_after = None
    mail_server.release.set()
    assert mail_server.accepted == [people[0].email]
    rows = list(AlertDigest.objects.order_by("user__email"))
    assert [row.status for row in rows] == ["sent", "owed", "owed"]
    wait_for(lambda: unlocked(rows[1]), timeout=30)  # the dead worker's transaction rolled back

    # Another worker takes the job still queued. The killed job's message comes back only after
    # Redis's visibility timeout (the task's time limit and a minute), so it is published again
    # here, as that redelivery would; and so are the first person's job and the whole run, as a
    # duplicate delivery and a second run of the schedule would be.
    second = start_worker(queue=queue, **environment)
    tasks.alert_digest_send.apply_async(args=(rows[1].pk,), queue=queue)
    tasks.alert_digest_send.apply_async(args=(rows[0].pk,), queue=queue)
    tasks.alert_digests_send.apply_async(queue=queue)
    wait_for(lambda: AlertDigest.objects.filter(status="sent").count() == 3)
    # The worker takes its queue in order: once this last job is done, every repeat before it is.
    last = tasks.alert_digest_send.apply_async(args=(987654,), queue=queue)
    wait_for(last.ready, timeout=60)
    assert second.process.poll() is None
    assert sorted(mail_server.accepted) == sorted(p.email for p in people)
    # The sweep later finds nothing owed.
    assert digests.alert_digests_send_owed(now=timezone.now() + digests.OWED_AFTER) == 0
