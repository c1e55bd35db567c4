"""Markup built in Python for the reports: the document every report is made into, and its XLSX and PDF forms.

A report's selector computes its figures; its builder (in ``reports/render/<report>.py``) lays them out as a
``Document``; ``reports.views.common.respond`` shows it on screen or sends it as XLSX (``xlsx.py``) or PDF
(``pdf.py``). Each report is written once and exists in the three forms.
"""
