"""TeX and text: the LaTeX<->Unicode tables, the decoder, spans, escaping and rendering."""
