"""JSON and YAML files, read whole: each table's rows with their line numbers.

A document is a list of rows (the table named by the file) or a mapping of
table names to lists of rows. Either way the answer is a list of
``(table name or None, line, [(line, row), ...])``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml


class FileProblem(Exception):
    """Why a whole file cannot be read, and where when the line is known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


NOT_UTF8 = "not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"


class YamlLoader(yaml.SafeLoader):
    """YAML with dates and yes/no left as text: ingest parses them itself, so a
    YAML date and a CSV date go through the same rules."""


YamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FileProblem(f"cannot read the file ({e.strerror})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileProblem(NOT_UTF8, line)


def yaml_tables(path: Path) -> list[tuple[str, int, list[tuple[int, Any]]]]:
    text = read_text(path)
    loader = YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise FileProblem(
                "empty file; a YAML file holds table names, each with a list of rows"
            )
        if not isinstance(node, yaml.MappingNode):
            raise FileProblem(
                "a YAML file must be a mapping of table names to lists of rows "
                "(offers: [...]), not a single list or value",
                node.start_mark.line + 1,
            )
        tables = []
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(value_node, yaml.SequenceNode):
                if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", "~", "null"):
                    tables.append((str(key), line, []))
                    continue
                raise FileProblem(f"{key}: expected a list of rows", line)
            rows = [
                (item.start_mark.line + 1, loader.construct_object(item, deep=True))
                for item in value_node.value
            ]
            tables.append((str(key), line, rows))
        return tables
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise FileProblem(
            f"not valid YAML: {e.problem or e.context}; check the indentation and quoting",
            mark.line + 1 if mark else None,
        )
    except yaml.YAMLError as e:
        raise FileProblem(f"not valid YAML: {e}")
    finally:
        loader.dispose()


def json_tables(path: Path) -> list[tuple[str | None, int, list[tuple[int, Any]]]]:
    return JsonScanner(read_text(path)).document()


class JsonScanner:
    """Walks the top level of a JSON document, keeping each row's line number
    (the json module gives positions only for errors)."""

    def __init__(self, text: str):
        self.text = text
        self.decoder = json.JSONDecoder()
        self.pos = 0
        self._line_pos = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        if pos >= self._line_pos:
            self._line += self.text.count("\n", self._line_pos, pos)
        else:
            self._line = self.text.count("\n", 0, pos) + 1
        self._line_pos = pos
        return self._line

    def skip(self) -> str:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        self.pos = pos
        return text[pos] if pos < len(text) else ""

    def fail(self, message: str) -> FileProblem:
        return FileProblem(f"not valid JSON: {message}", self.line_at(self.pos))

    def value(self) -> Any:
        try:
            value, self.pos = self.decoder.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as e:
            raise FileProblem(f"not valid JSON: {e.msg}", e.lineno)
        return value

    def array(self) -> list[tuple[int, Any]]:
        self.pos += 1  # "["
        rows: list[tuple[int, Any]] = []
        if self.skip() == "]":
            self.pos += 1
            return rows
        while True:
            self.skip()
            line = self.line_at(self.pos)
            rows.append((line, self.value()))
            char = self.skip()
            if char == ",":
                self.pos += 1
            elif char == "]":
                self.pos += 1
                return rows
            else:
                raise self.fail("expected , or ] after a row" if char else "the file ends inside a list")

    def document(self) -> list[tuple[str | None, int, list[tuple[int, Any]]]]:
        char = self.skip()
        if not char:
            raise FileProblem("empty file; a JSON file holds a list of rows or an object of tables")
        if char == "[":
            tables: list[tuple[str | None, int, list]] = [(None, 1, self.array())]
        elif char == "{":
            tables = []
            self.pos += 1
            if self.skip() == "}":
                self.pos += 1
            else:
                while True:
                    self.skip()
                    line = self.line_at(self.pos)
                    key = self.value()
                    if not isinstance(key, str):
                        raise self.fail("object keys must be strings")
                    if self.skip() != ":":
                        raise self.fail("expected : after a table name")
                    self.pos += 1
                    if self.skip() == "[":
                        tables.append((key, line, self.array()))
                    else:
                        self.value()
                        raise FileProblem(f"{key}: expected a list of rows", line)
                    char = self.skip()
                    if char == ",":
                        self.pos += 1
                    elif char == "}":
                        self.pos += 1
                        break
                    else:
                        raise self.fail("expected , or } after a table" if char else "the file ends inside an object")
        else:
            raise FileProblem(
                "a JSON file must hold a list of rows or an object whose keys are table names",
                self.line_at(self.pos),
            )
        if self.skip():
            raise self.fail("extra data after the end of the document")
        return tables
