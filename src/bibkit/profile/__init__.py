"""`bibkit profile SOURCE:ID`: a person's works read from DBLP, ORCID, OpenAlex and Semantic
Scholar, one entry per work (ids.py -> gather.py -> works.py -> owner.py, run by session.py)."""
