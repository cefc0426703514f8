"""The core app's API layer (serializers, views, permission adapters).

Named ``rest`` because ``portal/api.py`` is the project's one API router.
"""
