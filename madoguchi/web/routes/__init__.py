"""URL lists of the console, one module per area, joined in `web/urls.py`."""
