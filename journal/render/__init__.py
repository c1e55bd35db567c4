"""HTML built in Python for the journal's pages, apart from the views (NetBox's dcim/svg shape).

A render module takes what a selector prepared and returns markup: no queries, no writes, no request. It exists
where a template loop would be too slow (the grid's 30 × 45 cells); everything else stays in templates.
"""
