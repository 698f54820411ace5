"""Downloads of any version: drawings, BPMN, YAML/JSON, and a printable description (page and PDF)."""
