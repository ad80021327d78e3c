"""Deployments: what runs where, its health, and taking it back (seed 4.2.2, 8.1.1, 10.1).

``rules`` (pure: states, thresholds, promotion order), ``stats`` (Mann-Whitney U), ``config``
(``[environments.*]``), ``deployers`` (the plug-in port), ``health`` (probes and Prometheus),
``deploy`` and ``service`` (use cases), ``watcher`` (analysis and automatic rollback in
``polaris serve``), ``hooks`` (where recovery points plug in), ``routes`` and ``cli``.
"""
