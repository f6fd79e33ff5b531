"""The sandbox: a simulator of useapi.net's Kling endpoints at /sandbox/v1/kling/ (see its
README). It stands beside the client: nothing of ours imports it, and it is reached only over
HTTP, like the real useapi.net. It may import `core` for the role checks of its admin.
"""
