"""Personal access tokens for the JSON API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.users.models import User, utcnow

__all__ = ["SCOPES", "ApiToken"]

#: What a token may be used for. ``read`` is in every token: it reads what its user may read
#: on the pages (drafts of their cooperations' standards, divergence maps for coordinators);
#: ``write`` uploads versions of the user's own municipalities' processes; ``coordinate``
#: uploads and changes the user's cooperations' standards.
SCOPES = ("read", "write", "coordinate")


class ApiToken(Base):
    """A token a person made for a script or system; only a SHA-256 digest of its secret is kept.

    The secret is 32 random bytes (``secrets.token_urlsafe``), so a fast digest is enough:
    there is nothing to guess from it, unlike a password.
    """

    __tablename__ = "api_tokens"
    __audit__ = True
    # The last-used time changes on every request; it is written with a plain UPDATE and
    # would only fill the log.
    __audit_skip__ = frozenset({"last_used_at", "token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, shown so that a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: Space-separated names from :data:`SCOPES`.
    scopes: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        """Not revoked, not expired, and its user may still sign in."""
        now = now or utcnow()
        expires = (
            self.expires_at
            if self.expires_at.tzinfo
            else self.expires_at.replace(tzinfo=dt.UTC)
        )
        return self.revoked_at is None and expires > now and self.user.active

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
