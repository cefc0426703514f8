"""What the schema fuzz tests of each app share: pointing generated ids at real rows, and a staff
member's session as schemathesis sends it."""


def point_at_real_rows(case, pks: list[int]) -> None:
    """Generated ids almost never exist: point the non-negative ones below 2**31 at the rows of
    ``pks``, so reads and writes get past the 404 and their validation and serialisation are
    exercised too. Negative and huge ids still go through, as the 404 cases."""
    pk = (case.path_parameters or {}).get("id")
    if isinstance(pk, str) and pk.isascii() and pk.isdigit():  # the coverage phase sends strings
        pk = int(pk)
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 <= pk < 2**31:
        case.path_parameters["id"] = pks[pk % len(pks)]


def session_of(client, user) -> tuple[dict, dict]:
    """The headers and cookies of ``user``'s signed-in session, with a CSRF token."""
    client.force_login(user)
    csrf = "a" * 32
    return {"X-CSRFToken": csrf}, {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
