"""Settings pages for leads and admins, one module per page; writes go through actions."""
