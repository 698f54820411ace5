"""Front page, accessibility statement and the language switch."""
