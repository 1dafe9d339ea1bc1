"""proofs layer of adam-beyond (see ARCHITECTURE.md)."""
