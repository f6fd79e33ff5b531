"""Alerts: conditions worth a person's attention, told once by email and webhook, then resolved."""
