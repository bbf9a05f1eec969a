"""The app's pages (run by st.navigation in app.py) and their shared UI helpers (ui.py)."""

from streamlit.runtime.pages_manager import PagesManager

# Streamlit takes a folder named pages/ beside the entry point for its legacy pages-directory
# mode until st.navigation has run once; a server's first visitor arriving on a deep link would
# get that mode's page list. Clearing the flag on first import ends it (see ui.settings).
PagesManager.uses_pages_directory = False
