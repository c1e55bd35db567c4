"""The diary's own records: events and announcements, messages, e-mail notifications, diary visits, paper prints."""

from .events import Event, EventKind
from .messages import Broadcast, BroadcastAudience, Message, Thread, ThreadParticipant
from .notifications import EmailKind, EmailStatus, NotificationCursor, NotificationSettings, OutgoingEmail
from .visits import DiaryVisit, PaperDiaryPrint

__all__ = [
    "Broadcast",
    "BroadcastAudience",
    "DiaryVisit",
    "EmailKind",
    "EmailStatus",
    "Event",
    "EventKind",
    "Message",
    "NotificationCursor",
    "NotificationSettings",
    "OutgoingEmail",
    "PaperDiaryPrint",
    "Thread",
    "ThreadParticipant",
]
