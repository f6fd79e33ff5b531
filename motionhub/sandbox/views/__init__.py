"""Sandbox endpoints, one module per family of the useapi Kling v1 reference."""
