"""`bibkit serve`: the local web page (bibkit.web), started from the command line."""

from __future__ import annotations

import click

from .app import main
from .output import say


@main.command(short_help="A local web page: paste, preview, download.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Another than this machine's own lets anyone who "
              "can reach it use the page (a warning says so).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--open", "open_", is_flag=True, help="Open the page in the web browser.")
@click.option("-v", "--verbose", is_flag=True, help="Print each request.")
def serve(host: str, port: int, open_: bool, verbose: bool) -> None:
    """Serve bibkit as a web page on this computer: paste or drop a listing, .bib, .ris,
    CSL-JSON or MODS, see the entries bibkit read, what it inferred and every diagnostic with its
    line, preview the CV, and download or copy any format (the same file `bibkit convert`
    writes). Nothing is uploaded anywhere; Ctrl-C stops it.

    \b
    Scripts can use the endpoint the page uses:
      curl -F input=@listing.txt -F to=ris http://127.0.0.1:8765/api/convert
    """
    from ..web.server import BibkitServer

    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"bibkit: warning: listening on {host}: anyone who can reach this address and "
            "port can use the page")
    try:
        server = BibkitServer(host, port, verbose=verbose)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                                   ) from None
    say(f"bibkit: serving on {server.url} (Ctrl-C stops)")
    if open_:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("bibkit: stopped")
    finally:
        server.server_close()
