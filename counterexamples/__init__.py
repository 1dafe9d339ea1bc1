"""counterexamples layer of adam-beyond (see docs/architecture.md)."""
