"""flchain.fl layer (see DESIGN.md)."""
