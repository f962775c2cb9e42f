"""Management commands of the connectors (`madoguchi email …`)."""
