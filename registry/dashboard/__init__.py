"""«Mine prosesser»: a signed-in user's start page."""
