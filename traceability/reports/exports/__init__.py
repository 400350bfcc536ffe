"""The mapping report's downloads: the full mapping (CSV, JSON), report.json and the disposition of comments.

The schema of every download is documented in ``docs/report-json.md``.
"""
