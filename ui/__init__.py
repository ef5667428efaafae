"""Helpers shared by the Streamlit pages: session state, translation, guards."""
