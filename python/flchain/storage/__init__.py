"""flchain.storage layer (see DESIGN.md)."""
