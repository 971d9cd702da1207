"""Read side of lrsearch: the search core, the Flask app and the command line."""
