"""Console and public page views, one module per screen."""
