# Test editor: empties the file.
: > "$1"
