"""Handing work to Celery by task name: the diary's services use the journal's helper (``journal/services/queue.py``:
found by name, eager in development and tests, and never holding a request when the broker is down)."""

from journal.services.queue import BROKER_PAUSE_SECONDS, BrokerUnavailable, broker_pause_reset, task_delay

__all__ = ["BROKER_PAUSE_SECONDS", "BrokerUnavailable", "broker_pause_reset", "task_delay"]
