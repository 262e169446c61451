#!/usr/bin/python3
"""Doxygen INPUT_FILTER for the public headers (libtextdb/doc/Doxyfile.in).

Usage: doxygen_filter.py HEADER   (writes the filtered header to stdout)

The headers are documented with plain `//` comments (Google style, as LevelDB), which Doxygen
ignores. This filter shows Doxygen what a reader sees, without changing the headers:
  - a comment block on its own lines becomes a `///` block, documenting what follows it; the
    file's opening block documents the file (`\\file`);
  - a comment after code on the same line (`int x = 0;  // what x is`) becomes `///<`, but
    not after `}` or a preprocessor line (`}  // namespace textdb`);
  - a run of comment lines indented by two more spaces (the usage examples) becomes a
    `\\code` ... `\\endcode` block;
  - `// ---- title ----` separators stay plain comments;
  - in documentation text, what Doxygen would read as a command, a link or HTML (\\ @ < > & #
    ::) is escaped, except inside `backquoted` code spans.
The filter keeps every line of the input (it may insert a line for \\file, \\code, \\endcode),
so Doxygen's line numbers stay close to the header's.
"""
import re
import sys

FULL_LINE = re.compile(r"^(\s*)//(?!/)(.*)$")
TRAILING = re.compile(r"^(.*?\S)(\s{2,})//(?!/)\s?(.*)$")
ESCAPED = re.compile(r"(::|[\\@<>&#])")


def escape(text):
    """Escapes Doxygen's special characters outside `code spans`."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts are outside backquotes
        parts[i] = ESCAPED.sub(r"\\\1", parts[i])
    return "`".join(parts)


def outside_string(code):
    """True when `code` (the text before a `//`) does not end inside a string literal."""
    return code.count('"') % 2 == 0 and code.count("'") % 2 == 0


def filter_header(lines):
    out = []
    in_code = False
    seen_code = False  # a line that is not a comment: the file's opening block is over
    indent = ""
    for line in lines:
        full = FULL_LINE.match(line)
        if full:
            indent, body = full.group(1), full.group(2)
            if body.strip().startswith("----"):
                out.append(line)
                continue
            if not seen_code and not out:
                out.append("/// \\file")
            if body.startswith("   ") and body.strip():
                if not in_code:
                    out.append(f"{indent}/// \\code")
                    in_code = True
                out.append(f"{indent}///{body[2:]}")
                continue
            if in_code and body.strip():
                out.append(f"{indent}/// \\endcode")
                in_code = False
            if in_code:  # a blank comment line inside an example stays in it
                out.append(f"{indent}///")
                continue
            out.append(f"{indent}///{escape(body)}")
            continue
        if in_code:
            out.append(f"{indent}/// \\endcode")
            in_code = False
        seen_code = seen_code or bool(line.strip())
        trailing = TRAILING.match(line)
        if (trailing and outside_string(trailing.group(1)) and not line.lstrip().startswith("#")
                and not trailing.group(1).strip().startswith("}")):
            code, space, text = trailing.groups()
            out.append(f"{code}{space}///< {escape(text)}")
        else:
            out.append(line)
    if in_code:
        out.append(f"{indent}/// \\endcode")
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: doxygen_filter.py HEADER")
    with open(sys.argv[1], encoding="utf-8") as header:
        lines = header.read().split("\n")
    sys.stdout.write("\n".join(filter_header(lines)))


if __name__ == "__main__":
    main()
