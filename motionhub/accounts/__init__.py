"""useapi.net connections and the Kling accounts configured under them: models, the Accounts
page, the jobs that change accounts upstream, and the `motionhub_setup` / `motionhub_run` /
`motionhub_connect` commands.

It may import `audit`, `core` and the `useapi` client; never tasks or the pages above them.
"""
