"""The diary's own records: events and announcements, messages, e-mail notifications, diary visits, paper prints."""

from .events import Event
from .messages import Broadcast, Message, Thread, ThreadParticipant
from .notifications import NotificationCursor, NotificationSettings, OutgoingEmail
from .visits import DiaryVisit, PaperDiaryPrint

__all__ = [
    "Broadcast",
    "DiaryVisit",
    "Event",
    "Message",
    "NotificationCursor",
    "NotificationSettings",
    "OutgoingEmail",
    "PaperDiaryPrint",
    "Thread",
    "ThreadParticipant",
]
