"""The ground every app stands on: roles and their access helpers, security headers and the
login-required middleware, token encryption, database leases, the named django-q2 schedules,
system checks, and shared helpers such as whole days in the site's time zone.

It imports nothing of the other apps (schedules name their jobs by dotted path).
"""
