"""The web shell: Flask pages over the search core, each with a JSON twin under /api/ (``create_app``)."""
from search_app.web.app import create_app

__all__ = ["create_app"]
