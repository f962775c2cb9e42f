"""Automation: in-app notifications now; rules, SLA policies and business calendars later."""
