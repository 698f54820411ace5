"""Inter-municipal cooperations (e.g. DigiTrøndelag) and their member municipalities."""
