"""The home page: each account's load, outcome counts, a 30-day chart and recent failures.

It reads `tasks` and `accounts`; nothing imports it but the URLs.
"""
