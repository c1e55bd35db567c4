"""HTML and SVG built in Python for the diary's pages, apart from the views (NetBox's dcim/svg shape)."""
