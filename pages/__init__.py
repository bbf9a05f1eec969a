"""The app's pages (run by st.navigation in app.py) and their shared UI package (pages/ui)."""

from pages.ui import compat

compat.end_pages_directory_mode()
