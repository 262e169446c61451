# Test editor: a negative count (breaks the table's constraint), then a valid one.
if grep -q '^# error:' "$1"; then
  echo '--- editor, second round:' >&2
  cat "$1" >&2
  echo '---' >&2
  sed -i 's/^Count: .*/Count: 5/' "$1"
else
  sed -i 's/^Count: .*/Count: -5/' "$1"
fi
