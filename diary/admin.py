"""Nothing of the diary is in the Django admin: messages are private to their threads, and the administration has
the e-mail outbox (``diary:email_outbox``) and the events pages, where the services keep the rules."""
