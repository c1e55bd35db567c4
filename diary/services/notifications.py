"""E-mail notifications: preferences, quiet hours, the outbox and what goes into it (see diary/tasks.py).

Being written (issue 5); the messaging service already calls ``message_posted``.
"""


def message_posted(message_id: int) -> None:
    """Queue e-mails to the other participants of a new message's thread who want them (called on commit)."""
