"""A minimal XML tree that remembers the line of every element (ElementTree does not)."""

import xml.parsers.expat

from .errors import SpecError


class Node:
    def __init__(self, tag, attrib, line, file):
        self.tag = tag
        self.attrib = dict(attrib)
        self.line = line
        self.file = file
        self.children = []
        self.text_parts = []

    @property
    def text(self):
        return "".join(self.text_parts)

    def get(self, name, default=None):
        return self.attrib.get(name, default)

    def find(self, tag):
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag):
        return [c for c in self.children if c.tag == tag]

    def error(self, message):
        return SpecError(self.file, self.line, message)


def parse(path, data=None):
    """Parse a file (or the given bytes, named path) into a Node tree."""
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    parser = xml.parsers.expat.ParserCreate()
    stack = []
    root = []

    def start(tag, attrib):
        node = Node(tag, attrib, parser.CurrentLineNumber, path)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def chars(text):
        if stack:
            stack[-1].text_parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        raise SpecError(path, e.lineno, f"malformed XML: {xml.parsers.expat.ErrorString(e.code)}")
    return root[0]
