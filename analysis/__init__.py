"""analysis layer of adam-beyond (see ARCHITECTURE.md)."""
