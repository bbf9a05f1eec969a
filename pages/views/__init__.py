"""Each page's own views, one module (or a small package) per page: what only that page draws.

Shared UI (settings, sidebar, the working image, caches, widgets, rendering, the click
component) is in ``pages.ui``. Like ``pages.ui``, this folder is a package inside ``pages``,
so importing it runs ``pages/__init__.py``, which ends Streamlit's legacy pages-directory
mode: its modules never show up as pages.
"""
