"""Pictures of the network: the offline explorer page and the still overview (``repnet viz``).

view.py chooses what to draw (focus, radius, path, classes, relations, as-of) from the cached
projection; rank.py scores and cuts it to the limits; layout.py places it; facts.py reads the
panels' sourced facts and stored statuses; data.py turns it into the page's data; page.py assembles
the HTML from assets/; overview.py draws the PNG/SVG; style.py holds colours and shapes; explorer.py
gathers the public names. Import the module you need: this package imports nothing.
"""
