"""`bibkit serve`: a local web page for people who do not live in a terminal. Paste or drop
a listing or a bibliography, see what bibkit read in it, download or copy any format; the
file is the one `bibkit convert` writes for the same input and options (web/requests runs
the same pipeline), served by web/server on 127.0.0.1."""
