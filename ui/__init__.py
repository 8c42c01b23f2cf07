"""Streamlit-side helpers shared by every page (the only layer besides pages that imports streamlit)."""
