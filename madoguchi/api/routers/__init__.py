"""Thin handlers: parse, call an action or query, render. One module per resource."""
