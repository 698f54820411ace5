"""The catalogue of process types (casework types) that municipalities describe and compare."""
