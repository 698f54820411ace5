"""A cooperation's standard processes: versions, effective dates and the draft → approved → published workflow."""
