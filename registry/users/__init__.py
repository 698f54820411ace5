"""User accounts, roles (admin, coordinator, process owner), login and logout."""
