"""Administration pages: users and roles, municipalities, cooperations and memberships."""
