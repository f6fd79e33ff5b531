"""MotionHub: a team dashboard for Kling motion control through useapi.net.

The apps are layered; each imports only the layers below it (`make lint` checks it with
import-linter, see pyproject.toml and the README's layout section):

    batches | gateway | api            runs: the batch pages, their bulk actions and results zip;
                                       the useapi-compatible gateway for existing scripts; the
                                       native JSON API at /api/v1/
    dashboard | history | library      pages that read across tasks, accounts and the audit log
      | usage
    archive | alerts                   kept copies of results; alerts by e-mail and webhook
    tasks                              the task model, its pipeline, its pages, the callbacks
    accounts | tokens                  useapi connections and Kling accounts; personal API
                                       tokens and Idempotency-Key answers
    audit                              the append-only log of what people did, sign-in throttle
    core                               roles, security headers, crypto, leases: the ground
    useapi | media                     the upstream client and the media checks: no Django

The sandbox stands beside the client and is reached only over HTTP.
"""
