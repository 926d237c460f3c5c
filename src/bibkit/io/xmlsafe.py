"""The one way bibkit parses XML it did not write: no entities resolved, no DTD loaded, no
network, no huge trees. Readers of XML formats (MODS, arXiv's Atom feed) go through here, so
an external entity (XXE) or an entity bomb ("billion laughs") stays inert text or an error."""

from __future__ import annotations

from lxml import etree


class XmlError(ValueError):
    """The XML could not be read safely; the message says where."""


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_pis=True)


def parse_xml(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"not well-formed XML: {exc.msg} (line {exc.lineno})") from exc
