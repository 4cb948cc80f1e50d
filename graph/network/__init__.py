"""The network stage: the store projected into a NetworkX graph of entities, and what is done with it.

    project     the projection (relations from relations.yaml), views by class, relation and day, the cache
    analysis    analyses over a projection, one algorithm family per module, each returning a Table
    netexport   GEXF, GraphML and CSV files for Gephi, Cytoscape or a spreadsheet, written atomically
"""
