"""Operating Centric: readiness checks, the configuration doctor, backups and restores.

Used by the web app (``GET /api/ready``) and the command line (``centric doctor``,
``centric backup``, ``centric restore``); nothing here is a domain.
"""
